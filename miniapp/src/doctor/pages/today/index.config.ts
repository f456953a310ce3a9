export default definePageConfig({ navigationBarTitleText: '今日出诊' });
