import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

const here = (p: string): string => decodeURIComponent(new URL(p, import.meta.url).pathname)

// `npm run build:dashboard`: static assets in dist/dashboard, which `sluice serve` serves at `/`.
// Everything is bundled (no CDN, no external fonts), so the dashboard works offline.
export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
  build: {
    outDir: here('../dist/dashboard'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    // `npx vite --config dashboard/vite.config.ts` with `sluice serve` on :8080
    proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' },
  },
})
