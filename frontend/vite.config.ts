import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Relative base so the built dashboard works from any static host or sub-path.
export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // One page: React, Chart.js and zod make most of its one script (~165 kB gzipped); the song trend loads apart.
    chunkSizeWarningLimit: 600,
  },
});
