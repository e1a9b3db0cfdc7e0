// The coordinators' console: Preact (3 kB, React's API) compiled by Vite's own JSX transform, so no
// Babel plugin is needed. Everything is bundled and served from the same origin: no outside host.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Old Android phones: Chrome 87 (2020) and up.
    target: ['chrome87', 'safari14'],
    // One CSS file; the inline-style CSP forbids injected <style>.
    cssCodeSplit: false,
    assetsInlineLimit: 0,
  },
});
