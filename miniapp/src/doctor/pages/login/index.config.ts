export default definePageConfig({ navigationBarTitleText: '医生登录' });
