// Vite builds the browser twin into web/dist, which the Rust server serves at `/`.
// In development the dev server proxies the server's APIs, so the page talks to one
// origin exactly as it does in production (session cookies are SameSite=Strict).
import { defineConfig } from 'vite';

const server = process.env.CITYMIRROR_URL ?? 'http://127.0.0.1:18090';
const proxied = ['/api', '/ogc', '/tiles', '/healthz'];

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // MapLibre alone is ~1 MB minified; it is one cacheable file, not a warning.
    chunkSizeWarningLimit: 1500,
    sourcemap: true,
  },
  server: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: server, changeOrigin: false }])),
  },
  preview: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: server, changeOrigin: false }])),
  },
});
