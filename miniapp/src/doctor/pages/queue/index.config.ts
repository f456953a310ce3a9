export default definePageConfig({ navigationBarTitleText: '候诊队列', enablePullDownRefresh: true });
