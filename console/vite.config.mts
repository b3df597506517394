/**
 * The admin console's build (`npm run build:console`, part of `npm run build`) into dist/console,
 * which the API serves at / (src/console/serve-console.ts); and `npm run dev:console`: Vite's dev
 * server with hot reload, proxying the API's paths to CONSOLE_API_URL (default the API of
 * `npm start`, http://127.0.0.1:3000).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.CONSOLE_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: here,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // The first screen's budget is measured (README "Console"); the warning would only repeat it.
    chunkSizeWarningLimit: 1000,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: Object.fromEntries(['/api', '/health', '/webhooks'].map((prefix) => [prefix, { target: api, changeOrigin: false }])),
  },
});
