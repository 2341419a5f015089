import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The web app (door scanner, floor plan, owner dashboard, buyer pages) is one Vite build, served
 * by Velvet itself from `dist/web`. Built by `npm ci` (prepare) and again by `velvet serve` when
 * the sources changed (src/web-build.ts); never committed.
 */
export default defineConfig({
  root: here('.'),
  publicDir: here('public'),
  base: '/',
  resolve: { alias: { '@domain': here('../src/domain'), '@i18n': here('../src/i18n') } },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // zxing's wasm must stay a file of its own (served by Velvet, cached by the service worker).
    assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined),
  },
  plugins: [
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false,
      manifest: {
        name: 'Velvet',
        short_name: 'Velvet',
        description: 'Tickets, VIP tables and the door',
        start_url: '/door',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#0b0a10',
        theme_color: '#0b0a10',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The app shell, fonts and the barcode reader's wasm: a scanner that reloads with no
        // network still opens. API answers are never cached here (the door keeps its own data).
        globPatterns: ['**/*.{js,css,html,svg,png,woff2,wasm,webmanifest}'],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/healthz/],
        // The host's guest-arrival notifications (Web Push): shown, and opened when tapped.
        importScripts: ['/push-sw.js'],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
});
