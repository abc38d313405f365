import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The SPA is served by the gateway at `/` and talks only to `/api/v1/` on the same origin.
// `npm run dev` proxies the API to a running platform (VITE_API_TARGET, default `make run`'s port).
const apiTarget = process.env.VITE_API_TARGET || 'http://127.0.0.1:8000'

export default defineConfig({
  plugins: [vue()],
  define: {
    __VUE_OPTIONS_API__: false,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
    __VUE_I18N_FULL_INSTALL__: false,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __INTLIFY_DROP_MESSAGE_COMPILER__: false,
  },
  server: {
    proxy: { '/api': apiTarget, '/open311': apiTarget },
  },
  build: {
    target: 'es2020',
    sourcemap: false,
    manifest: true,
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      output: {
        // The charts library and the spreadsheet writer stay out of every resident page.
        manualChunks(id) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'charts'
          if (id.includes('node_modules/write-excel-file') || id.includes('node_modules/fflate')) return 'xlsx'
          if (id.includes('node_modules/leaflet')) return 'map'
          return undefined
        },
      },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/__tests__/**/*.test.js', 'scripts/__tests__/**/*.test.js'],
    restoreMocks: true,
    // `VITEST_JUNIT=path npm test` also writes a JUnit report (scripts/test_all.sh adds it up).
    reporters: process.env.VITEST_JUNIT ? ['default', ['junit', { outputFile: process.env.VITEST_JUNIT }]] : ['default'],
  },
})
