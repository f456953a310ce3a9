/**
 * The admin console's build: served by the local server under /admin/ (functions/src/http/static.ts),
 * in production from the CDN under the same path. `npm run dev -w admin` proxies /api to `npm start`'s server.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Warn past 600 kB: the largest chunk is ECharts (~530 kB).
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      output: {
        // Each page is a lazy chunk (src/App.tsx). Two vendors get a chunk of their own: ECharts, so
        // only the dashboard downloads it, and React, which every page needs and which changes least.
        // antd and ProComponents are left to the bundler: it puts each component in a chunk shared by
        // exactly the pages that use it, so the login page does not download ProTable or the pickers
        // (`node admin/scripts/bundle-size.mjs` prints what each visit downloads).
        manualChunks(id: string) {
          if (id.includes('/node_modules/echarts/') || id.includes('/node_modules/zrender/')) return 'echarts';
          if (/\/node_modules\/(react|react-dom|scheduler|react-router|react-router-dom)\//.test(id)) return 'react';
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: { '/api': `http://localhost:${process.env.PORT ?? 3000}` },
  },
});
