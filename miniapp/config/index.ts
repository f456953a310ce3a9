/**
 * Taro build configuration for every app built from this codebase. The patient app is the
 * WeChat mini-program (`build:weapp`) and the H5 build served at /patient/; doctor and admin
 * apps are later H5 builds of the same codebase, selected with `--mode <role>` (which loads
 * `.env.<role>`, setting TARO_APP_ROLE), each with its own output folder and public path.
 * `build:*` builds against the local API; `release:*` are production builds (build-settings.ts).
 */
import { defineConfig, type UserConfigExport } from '@tarojs/cli';
import path from 'node:path';
import { buildSettings } from './build-settings';

export default defineConfig<'webpack5'>(async () => {
  // Which app, which API, and whether the development SMS inbox may be used: build-settings.ts.
  const { role, apiBaseUrl, devSms } = buildSettings(process.env);
  const platform = process.env.TARO_ENV;
  const isH5 = platform === 'h5';
  // The doctor (and later admin) app is a web app only: its pages must never reach the patient
  // mini-program's packages, which build from src/app.config.ts alone.
  if (role !== 'patient' && !isH5) throw new Error(`The ${role} app is an H5 build only: taro build --type h5 --mode ${role}`);
  // `dev:h5` empties its output folder and serves from memory: keep it off the build that
  // `npm start` serves (dist/h5 for patients, dist/h5-<role> for the others).
  const h5Output = `dist/h5${role === 'patient' ? '' : `-${role}`}${process.env.NODE_ENV === 'development' ? '-dev' : ''}`;

  const config: UserConfigExport<'webpack5'> = {
    projectName: 'bx87h9-miniapp',
    date: '2026-11-24',
    // NutUI React Taro is drawn at 375 px; so are our pages, so 1 px in CSS is 2 rpx on weapp.
    designWidth: 375,
    deviceRatio: { 375: 2, 640: 2.34 / 2, 750: 1, 828: 1.81 / 2 },
    // Each app's own entry, app config (pages, tab bar) and index.html: src/ for patients,
    // src/<role>/ for the others, so no other role's page can enter the patient's packages.
    sourceRoot: role === 'patient' ? 'src' : `src/${role}`,
    outputRoot: isH5 ? h5Output : `dist/${platform}`,
    plugins: [],
    // Depth of the mini-program's recursive base templates (default 16): each level adds to
    // base.wxml in the main package; deeper trees still render, through the `comp` component.
    baseLevel: 12,
    // Defined here, not only in .env files: a TARO_APP_* variable missing from every env file
    // would stay a literal `process.env.X` in the bundle and crash H5 at run time.
    env: {
      TARO_APP_ROLE: JSON.stringify(role),
      TARO_APP_API_BASE_URL: JSON.stringify(apiBaseUrl),
      TARO_APP_DEV_SMS: JSON.stringify(devSms),
    },
    defineConstants: {},
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: 'webpack5',
    cache: { enable: false },
    mini: {
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
      optimizeMainPackage: { enable: true },
    },
    h5: {
      publicPath: `/${role}/`,
      // The other roles' source root is src/<role>/ (below); the shared components, hooks and
      // services they import from src/ must go through Babel too.
      ...(role === 'patient' ? {} : { compile: { include: [path.join(__dirname, '../src')] } }),
      staticDirectory: 'static',
      // Web components flipped button text and treated disabled="false" as disabled: use React ones.
      useHtmlComponents: true,
      router: { mode: 'hash' },
      output: { filename: 'js/[name].[contenthash:8].js', chunkFilename: 'js/[name].[contenthash:8].js' },
      miniCssExtractPluginOption: { ignoreOrder: true, filename: 'css/[name].[contenthash:8].css', chunkFilename: 'css/[name].[contenthash:8].css' },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
      webpackChain(chain) {
        // Taro shares only the entry's modules (chunks: 'initial'), so every lazily loaded page
        // carried its own copy of NutUI and the helpers: share them between pages too.
        const splitChunks = chain.optimization.get('splitChunks');
        if (splitChunks) chain.optimization.splitChunks({ ...splitChunks, chunks: 'all' });
      },
      devServer: {
        port: 10086,
        // `npm run dev:h5 -w miniapp` beside `npm start`: the API stays on port 3000.
        proxy: [{ context: ['/api'], target: 'http://localhost:3000' }],
      },
    },
  };
  return config;
});
