// The HTML page of the dashboard inside a VS Code webview (pure: no DOM, no vscode). The extension passes the
// webview URIs of dist/dashboard.js and dist/dashboard.css, a fresh nonce and `webview.cspSource`.

export interface WebviewHtmlOptions {
  /** Webview URI of dashboard.js. */
  scriptUri: string;
  /** Webview URI of dashboard.css. */
  styleUri: string;
  /** A fresh random nonce per render (letters and digits). */
  nonce: string;
  /** `webview.cspSource`. */
  cspSource: string;
  /** Page title; defaults to "Orchion". */
  title?: string;
}

const escapeAttr = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The strict content security policy of the webview: nothing by default, only the nonce'd module script,
 * styles and fonts from the extension's own files. Lit's components style themselves with constructable
 * stylesheets (adoptedStyleSheets), which CSP does not govern, so no 'unsafe-inline' is needed.
 */
export function webviewCsp(nonce: string, cspSource: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function renderWebviewHtml(options: WebviewHtmlOptions): string {
  const { scriptUri, styleUri, nonce, cspSource } = options;
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) {
    throw new Error('renderWebviewHtml: the nonce must be at least 16 letters, digits or base64 characters');
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(webviewCsp(nonce, cspSource))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeAttr(options.title ?? 'Orchion')}</title>
<link rel="stylesheet" href="${escapeAttr(styleUri)}">
</head>
<body data-host="vscode">
<noscript>The Orchion dashboard needs JavaScript.</noscript>
<script type="module" nonce="${escapeAttr(nonce)}" src="${escapeAttr(scriptUri)}"></script>
</body>
</html>
`;
}
