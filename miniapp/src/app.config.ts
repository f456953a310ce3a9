/**
 * The patient app's pages. The main package is close to the 500 KB goal
 * (tests/miniapp/weapp.test.ts checks it), so newer features come as subpackages, loaded when
 * first opened: 候补 (pages/waitlist/).
 */
export default defineAppConfig({
  pages: [
    'pages/index/index',
    'pages/appointments/index',
    'pages/me/index',
    'pages/department/index',
    'pages/doctor/index',
    'pages/confirm/index',
    'pages/pay/index',
    'pages/success/index',
    'pages/appointment/index',
    'pages/login/index',
    'pages/password-reset/index',
    'pages/profiles/index',
    'pages/profile-edit/index',
    'pages/health-record/index',
    'pages/messages/index',
  ],
  subPackages: [{ root: 'pages/waitlist', pages: ['join/index', 'mine/index'] }],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#0b6bcb',
    navigationBarTitleText: '南阳市第二人民医院',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f2f5f9',
  },
  tabBar: {
    color: '#5b6573',
    selectedColor: '#0b6bcb',
    backgroundColor: '#ffffff',
    borderStyle: 'black',
    list: [
      { pagePath: 'pages/index/index', text: '首页' },
      { pagePath: 'pages/appointments/index', text: '我的预约' },
      { pagePath: 'pages/me/index', text: '我的' },
    ],
  },
});
