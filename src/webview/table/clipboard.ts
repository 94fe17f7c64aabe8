// Ctrl/Cmd+C in the table: the selected cells as TSV (tsv.ts) on the clipboard. The copy event
// VS Code and browsers fire is answered with the text; when none comes, the async clipboard API.

export class GridClipboard {
  private copyPending = false;

  constructor(
    /** The table's focusable element: copies are ours only while the focus is inside it. */
    private readonly owner: HTMLElement,
    private readonly hasSelection: () => boolean,
    private readonly selectionText: () => string | undefined,
    /** Takes the copy over when the selection holds values only the extension has whole (true then). */
    private readonly copyElsewhere: () => boolean = () => false,
  ) {
    document.addEventListener('copy', (e) => this.onCopy(e));
  }

  private ownsFocus(): boolean {
    const a = document.activeElement;
    return !!a && this.owner.contains(a);
  }

  private onCopy(e: ClipboardEvent): void {
    if (!this.ownsFocus() || !this.hasSelection() || !e.clipboardData) return;
    if (this.copyElsewhere()) {
      e.preventDefault();
      this.copyPending = false;
      return;
    }
    const text = this.selectionText();
    if (text === undefined) return;
    e.clipboardData.setData('text/plain', text);
    e.preventDefault();
    this.copyPending = false;
  }

  /** Ctrl/Cmd+C was pressed: VS Code and browsers fire a copy event; if none comes, use the async API. */
  copyWithFallback(): void {
    if (!this.hasSelection()) return;
    this.copyPending = true;
    setTimeout(() => {
      if (!this.copyPending) return;
      this.copyPending = false;
      if (this.copyElsewhere()) return;
      const text = this.selectionText();
      if (text !== undefined) navigator.clipboard?.writeText(text).catch(() => undefined);
    }, 0);
  }
}
