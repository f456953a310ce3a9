/**
 * Runs pages of the compiled WeChat build (miniapp/dist/weapp) outside WeChat: miniprogram-
 * simulate renders each page's real WXML (compiled by WeChat's own wcc, which it ships) with
 * j-component, and this harness stands in for the rest of the mini-program host — `App`,
 * `Page` (run as a component), `getApp`/`getCurrentPages` and the `wx` APIs the app calls.
 * `wx.request` goes over the network to a real API, so a page under test talks to the real
 * server and database.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { MINIAPP_DIST } from './build.js';

const require = createRequire(import.meta.url);

interface Simulate {
  load(componentPath: string, options: { rootPath: string; compiler: 'official' }): string;
  render(id: string): SimulatedComponent;
}

/**
 * miniprogram-simulate renders into a DOM: a jsdom window for it alone, installed as the
 * globals it expects (the test file itself stays in node, where the server code runs).
 */
function loadSimulate(): Simulate {
  const g = globalThis as Record<string, unknown>;
  if (!g.document) {
    // CommonJS without bundled types; only these members are used.
    const { JSDOM } = require('jsdom') as { JSDOM: new (html: string) => { window: Record<string, unknown> & { document: unknown } } };
    const { window } = new JSDOM('<!doctype html><html><head></head><body></body></html>');
    for (const name of ['window', 'document', 'Event', 'CustomEvent', 'HTMLElement', 'Node', 'getComputedStyle']) {
      g[name] = name === 'window' ? window : window[name];
    }
  }
  return require('miniprogram-simulate') as Simulate;
}

/** The rendered DOM node (jsdom), read for its text. */
interface RenderedDom {
  textContent: string | null;
  innerHTML: string;
}

export interface SimulatedNode {
  dom: RenderedDom;
  dispatchEvent(name: string, options?: unknown): void;
  querySelector(selector: string): SimulatedNode | undefined;
}
export interface SimulatedComponent extends SimulatedNode {
  attach(parent: unknown): void;
  detach(): void;
  instance: Record<string, unknown>;
}

export const WEAPP_ROOT = path.join(MINIAPP_DIST, 'weapp');

export interface WxCall {
  api: string;
  args: Record<string, unknown>;
}

type Callbacks = { success?: (res: unknown) => void; fail?: (err: unknown) => void; complete?: (res: unknown) => void };

/** The host: storage, navigation and UI calls are recorded; requests go to `apiOrigin`. */
export class WeappHost {
  readonly storage = new Map<string, unknown>();
  readonly calls: WxCall[] = [];
  private pageQuery: Record<string, string> = {};
  private readonly pages: Record<string, unknown>[] = [];

  constructor(
    /** The build's configured API origin (what a phone would reach)… */
    private readonly builtOrigin: string,
    /** …and where the test's real API listens instead. */
    private readonly apiOrigin: string,
  ) {}

  private record(api: string, args: Record<string, unknown> = {}) {
    this.calls.push({ api, args });
    const callbacks = args as Callbacks;
    const res = { errMsg: `${api}:ok`, confirm: true, cancel: false };
    callbacks.success?.(res);
    callbacks.complete?.(res);
    return Promise.resolve(res);
  }

  /** `wx`: what the app and Taro's runtime call; Taro leaves out any API the host lacks. */
  private wx(): Record<string, unknown> {
    const host = this;
    const recorded = (api: string) => (args: Record<string, unknown>) => host.record(api, args);
    const wx: Record<string, unknown> = {
      getSystemInfoSync: () => ({ platform: 'devtools', windowWidth: 375, windowHeight: 812, screenWidth: 375, screenHeight: 812, pixelRatio: 2, SDKVersion: '3.0.0', language: 'zh_CN', system: 'iOS 17' }),
      getWindowInfo: () => ({ windowWidth: 375, windowHeight: 812, screenWidth: 375, screenHeight: 812, pixelRatio: 2 }),
      getStorageSync: (key: string) => host.storage.get(key) ?? '',
      setStorageSync: (key: string, value: unknown) => void host.storage.set(key, value),
      removeStorageSync: (key: string) => void host.storage.delete(key),
      canIUse: () => true,
      nextTick: (fn: () => void) => setTimeout(fn, 0),
      showToast: recorded('showToast'),
      hideToast: recorded('hideToast'),
      showLoading: recorded('showLoading'),
      hideLoading: recorded('hideLoading'),
      showModal: recorded('showModal'),
      navigateTo: recorded('navigateTo'),
      redirectTo: recorded('redirectTo'),
      switchTab: recorded('switchTab'),
      navigateBack: recorded('navigateBack'),
      setNavigationBarTitle: recorded('setNavigationBarTitle'),
      request: (options: { url: string; method?: string; data?: unknown; header?: Record<string, string> } & Callbacks) => {
        const url = options.url.startsWith(host.builtOrigin) ? host.apiOrigin + options.url.slice(host.builtOrigin.length) : options.url;
        host.calls.push({ api: 'request', args: { ...options, url } });
        const body = options.data === undefined ? undefined : typeof options.data === 'string' ? options.data : JSON.stringify(options.data);
        fetch(url, { method: options.method ?? 'GET', headers: options.header, body })
          .then(async (response) => {
            const text = await response.text();
            const res = { statusCode: response.status, data: text ? JSON.parse(text) : '', header: Object.fromEntries(response.headers), errMsg: 'request:ok' };
            options.success?.(res);
            options.complete?.(res);
          })
          .catch((error: unknown) => {
            const err = { errMsg: `request:fail ${String(error)}` };
            options.fail?.(err);
            options.complete?.(err);
          });
        return { abort() {} };
      },
    };
    return wx;
  }

  private simulate: Simulate | undefined;

  /** Loads the app: runtime, shared chunks and app.js, as WeChat does before any page. */
  install(): void {
    this.simulate = loadSimulate();
    const g = globalThis as Record<string, unknown>;
    g.wx = this.wx();
    g.App = (config: Record<string, unknown>) => {
      g.__app = config;
      (config.onLaunch as ((o: unknown) => void) | undefined)?.call(config, { path: '', query: {} });
    };
    g.getApp = () => g.__app;
    g.getCurrentPages = () => this.pages;
    g.requirePlugin = () => ({});
    // Taro's page config becomes a j-component: lifecycle hooks run at attach, methods (its
    // event handler `eh`) are callable from the WXML's bind:tap.
    g.Page = (config: Record<string, unknown>) => {
      const methods: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(config)) if (typeof value === 'function') methods[key] = value;
      const host = this;
      (g.Component as (definition: unknown) => void)({
        data: config.data,
        methods,
        lifetimes: {
          attached(this: Record<string, unknown> & { onLoad?: (q: unknown) => void; onShow?: () => void }) {
            this.route = this.__route__ = host.currentRoute;
            host.pages.push(this);
            this.onLoad?.(host.pageQuery);
            this.onShow?.();
          },
          ready(this: { onReady?: () => void }) {
            this.onReady?.();
          },
        },
      });
    };
    for (const chunk of ['runtime', 'taro', 'vendors', 'common', 'app']) require(path.join(WEAPP_ROOT, chunk));
  }

  private currentRoute = '';

  /** Renders a page of the build (e.g. `pages/confirm/index`) with its query, attached to the document. */
  open(route: string, query: Record<string, string>): SimulatedComponent {
    this.currentRoute = route;
    this.pageQuery = query;
    if (!this.simulate) throw new Error('install() the host first');
    const id = this.simulate.load(path.join(WEAPP_ROOT, route), { rootPath: WEAPP_ROOT, compiler: 'official' });
    const page = this.simulate.render(id);
    const { document } = globalThis as unknown as { document: { createElement(name: string): unknown } };
    page.attach(document.createElement('parent-wrapper'));
    return page;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
