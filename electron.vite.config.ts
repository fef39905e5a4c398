import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

// Every main-process entry lands flat in out/main (chunks included), so a file that
// spawns a worker can find its sibling entry next to itself at run time.
export default defineConfig({
  main: {
    build: {
      externalizeDeps: { exclude: ['zod', 'yaml', 'commander', 'consola'] },
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/main/cli.ts'),
          schedulerWorker: resolve(__dirname, 'src/main/engine/scheduler/schedulerWorker.ts'),
          scriptWorker: resolve(__dirname, 'src/main/engine/modules/script/scriptWorker.ts'),
          configWorker: resolve(__dirname, 'src/main/engine/config/configWorker.ts'),
          runnerThread: resolve(__dirname, 'src/main/sweep/runnerThread.ts'),
          recorderWorker: resolve(__dirname, 'src/main/engine/recording/recorderWorker.ts')
        },
        output: { chunkFileNames: '[name]-[hash].js' }
      }
    }
  },
  preload: {},
  renderer: { root: resolve(__dirname, 'src/renderer'), plugins: [react()], build: { rollupOptions: { input: resolve(__dirname, 'src/renderer/index.html') } } }
})
