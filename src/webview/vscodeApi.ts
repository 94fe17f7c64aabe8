// The one handle on the VS Code webview API: typed posting and the persisted view state.
import type { FromWebview } from '../shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState<T>(state: T): T;
}

declare function acquireVsCodeApi(): VsCodeApi;

function fallbackApi(): VsCodeApi {
  // Outside VS Code (a plain browser page): log posts, keep state for the page's lifetime.
  let state: unknown;
  return {
    postMessage: (m) => console.debug('[locator-batch] post', m),
    getState: () => state,
    setState: (s) => (state = s),
  };
}

// acquireVsCodeApi may be called only once per page.
const api: VsCodeApi = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : fallbackApi();

export function post(message: FromWebview): void {
  api.postMessage(message);
}

export function loadState<T>(): Partial<T> {
  const s = api.getState();
  return s && typeof s === 'object' ? (s as Partial<T>) : {};
}

export function saveState<T>(state: T): void {
  api.setState(state);
}
