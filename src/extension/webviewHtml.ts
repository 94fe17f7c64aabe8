// The HTML shell of every Locator Batch webview: one script and one stylesheet from the
// extension's dist/ folder, a strict CSP with a fresh nonce, nothing from outside.
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import type { ViewKind } from '../shared/protocol';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')] };
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, kind: ViewKind): string {
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
<script nonce="${nonce}" src="${asset('webview.js')}"></script>
</body>
</html>`;
}
