/**
 * The doctor workstation (医生工作站): an H5 build of this codebase (`--mode doctor`, see
 * config/index.ts), with its own pages and tab bar. None of these pages is in the patient app's
 * src/app.config.ts, so none ever enters the WeChat mini-program's packages.
 */
export default defineAppConfig({
  pages: ['pages/today/index', 'pages/schedule/index', 'pages/me/index', 'pages/login/index', 'pages/password/index', 'pages/queue/index', 'pages/patient/index'],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#0b6bcb',
    navigationBarTitleText: '医生工作站',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f2f5f9',
  },
  tabBar: {
    color: '#5b6573',
    selectedColor: '#0b6bcb',
    backgroundColor: '#ffffff',
    borderStyle: 'black',
    list: [
      { pagePath: 'pages/today/index', text: '今日' },
      { pagePath: 'pages/schedule/index', text: '我的排班' },
      { pagePath: 'pages/me/index', text: '我的' },
    ],
  },
});
