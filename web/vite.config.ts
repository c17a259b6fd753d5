// Vite builds the browser twin into web/dist, which the Rust server serves at `/`.
// Four pages, one entry each (the server serves any file in dist, so `/citizen.html`
// works as it is): the 3D map, the citizens' H5 pages, the operators' workbench and the
// request loop's dashboard. Code they share lands in shared chunks, cached once.
// In development the dev server proxies the server's APIs, so the page talks to one
// origin exactly as it does in production (session cookies are SameSite=Strict).
import { resolve } from 'node:path';
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
    rolldownOptions: {
      input: Object.fromEntries(
        ['index', 'citizen', 'workbench', 'dashboard'].map((page) => [page, resolve(import.meta.dirname, `${page}.html`)]),
      ),
      // The two large libraries in chunks of their own, named for what they are: each
      // page loads only the one it draws with (the dashboard never loads MapLibre), and
      // a release that changes our code leaves them cached.
      output: {
        codeSplitting: {
          groups: [
            { name: 'maplibre', test: /node_modules[\\/]maplibre-gl/ },
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: server, changeOrigin: false }])),
  },
  preview: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: server, changeOrigin: false }])),
  },
});
