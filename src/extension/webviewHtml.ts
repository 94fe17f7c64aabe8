// The HTML shell of every Locator Batch webview: one script and one stylesheet from the
// extension's dist/ folder, a strict CSP with a fresh nonce, nothing from outside.
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import type { ViewKind } from '../shared/protocol';
import { FIRST_SCREEN_ID, firstScreenJson, type ViewSnapshot } from '../shared/viewSnapshot';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')] };
}

/**
 * The page of a view. `firstScreen`: rows the page draws before its first message from us, as a
 * JSON data block (not run: the CSP allows only the nonce'd script; every `<` is escaped, so no cell
 * can end the block).
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, kind: ViewKind, firstScreen?: ViewSnapshot): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', name)).toString();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('webview.css')}">
<title>Locator Batch</title>
</head>
<body data-kind="${kind}">
<div id="app" role="application"></div>
${firstScreen ? `<script type="application/json" id="${FIRST_SCREEN_ID}">${firstScreenJson(firstScreen)}</script>\n` : ''}<script nonce="${nonce}" src="${asset('webview.js')}"></script>
</body>
</html>`;
}
