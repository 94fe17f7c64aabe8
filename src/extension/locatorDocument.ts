// A locator's rows as VS Code holds them: its TextDocument (unsaved edits included), parsed once per
// version for every view, run and write-back; or, for a file over 50 MB that VS Code will not hand to
// extensions, the file on disk.
import * as vscode from 'vscode';
import { parseLocator, readLocator, type Locator } from '../core/locator';

/** VS Code hands no document over 50 MB to extensions ("cannot be synchronized with extensions"). */
const DOCUMENT_LIMIT_BYTES = 50 * 1024 * 1024;

const stampOf = (st: vscode.FileStat): string => `${st.size}:${st.mtime}`;

export class LocatorDocument {
  /** The version of the file VS Code refused as too large to hand over (see documentOrDisk). */
  private tooLarge?: string;
  private fromDisk?: { stamp: string; promise: Promise<Locator> };
  // Parsing a 25 MB locator takes ~1 s: parse each version of the document once, for every view,
  // run and write-back that needs it. (Callers never change the rows they are given.)
  private parsed?: { doc: vscode.TextDocument; version: number; promise: Promise<Locator>; value?: Locator };

  constructor(readonly uri: vscode.Uri) {}

  /** The locator's document (loaded by VS Code, shared with every editor of the file). */
  document(): Thenable<vscode.TextDocument> {
    return vscode.workspace.openTextDocument(this.uri);
  }

  /**
   * The locator's document; undefined when the file is too large for VS Code to hand to extensions
   * (over 50 MB): runs and views then read it from disk, and write-back is refused.
   */
  async documentOrDisk(): Promise<vscode.TextDocument | undefined> {
    // VS Code loads the whole file before refusing it: ask once per version of the file.
    if (this.tooLarge !== undefined && this.tooLarge === (await this.diskStamp())) return undefined;
    try {
      return await this.document();
    } catch (err) {
      const st = this.uri.scheme === 'file' ? await vscode.workspace.fs.stat(this.uri).then((s) => s, () => undefined) : undefined;
      if (!st || st.size <= DOCUMENT_LIMIT_BYTES) throw err;
      this.tooLarge = stampOf(st);
      return undefined;
    }
  }

  /** The document's text when it has unsaved edits (Python's pandas then reads it, not the file); else undefined. */
  unsavedText(): string | undefined {
    const key = this.uri.toString();
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    return doc?.isDirty ? doc.getText() : undefined;
  }

  /** The locator as its document holds it now (unsaved edits included), or as the disk holds it when too large for a document. */
  async read(): Promise<Locator> {
    const doc = await this.documentOrDisk();
    return doc ? this.parse(doc) : this.parseFromDisk();
  }

  private diskStamp(): Thenable<string> {
    return vscode.workspace.fs.stat(this.uri).then(stampOf);
  }

  /** The file on disk, parsed once per version (size and modification time). */
  async parseFromDisk(): Promise<Locator> {
    const stamp = await this.diskStamp();
    if (this.fromDisk?.stamp !== stamp) this.fromDisk = { stamp, promise: readLocator(this.uri.fsPath) };
    const entry = this.fromDisk;
    return entry.promise.catch((err) => {
      if (this.fromDisk === entry) this.fromDisk = undefined;
      throw err;
    });
  }

  /** The parsed locator of this version of `doc`, parsed now or taken from the last parse. */
  parse(doc: vscode.TextDocument): Promise<Locator> {
    const cached = this.parsed;
    if (cached && cached.doc === doc && cached.version === doc.version) return cached.promise;
    const entry: NonNullable<typeof this.parsed> = {
      doc,
      version: doc.version,
      promise: parseLocator(doc.getText(), this.uri.fsPath),
    };
    entry.promise.then((locator) => (entry.value = locator), () => undefined);
    this.parsed = entry;
    return entry.promise;
  }

  /** The parsed locator when this version of `doc` has been parsed already (no waiting). */
  parsedNow(doc: vscode.TextDocument): Locator | undefined {
    const cached = this.parsed;
    return cached && cached.doc === doc && cached.version === doc.version ? cached.value : undefined;
  }

  /** Whether the document VS Code holds of this locator has been parsed as it is now (no waiting). */
  parsedNowOfOpenDocument(): boolean {
    const doc = this.parsed?.doc;
    return !!doc && !doc.isClosed && this.parsedNow(doc) !== undefined;
  }

  /** Drops the parsed rows (the document, or the last editor of it, was closed). */
  forgetParsed(): void {
    this.parsed = undefined;
    this.fromDisk = undefined;
  }
}
