import { describe, expect, it } from 'vitest';
import { renderWebviewHtml, webviewCsp } from './webview-html';

const opts = {
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/dashboard.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/dashboard.css',
  nonce: 'abcdefghijklmnopqrstuvwxyz012345',
  cspSource: 'https://*.vscode-cdn.net',
};

describe('renderWebviewHtml', () => {
  it('has a strict CSP with the nonce and cspSource, the vscode host marker and both assets', () => {
    const html = renderWebviewHtml(opts);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(csp).toBe(webviewCsp(opts.nonce, opts.cspSource));
    const directives = csp!.split('; ');
    expect(directives[0]).toBe("default-src 'none'");
    expect(directives).toContain(`script-src 'nonce-${opts.nonce}'`);
    expect(directives).toContain(`style-src ${opts.cspSource}`);
    expect(directives).toContain(`font-src ${opts.cspSource}`);
    expect(directives).toContain(`img-src ${opts.cspSource} data:`);
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('unsafe-inline');
    expect(html).toContain('<body data-host="vscode">');
    expect(html).toContain(`<script type="module" nonce="${opts.nonce}" src="${opts.scriptUri}"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="${opts.styleUri}">`);
  });

  it('escapes attribute values and refuses a weak nonce', () => {
    const html = renderWebviewHtml({ ...opts, scriptUri: 'x"><script>alert(1)</script>', title: '<b>' });
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('<title>&lt;b&gt;</title>');
    expect(() => renderWebviewHtml({ ...opts, nonce: 'short' })).toThrow(/nonce/);
    expect(() => renderWebviewHtml({ ...opts, nonce: 'abc"defghijklmnopqrstu' })).toThrow(/nonce/);
  });
});
