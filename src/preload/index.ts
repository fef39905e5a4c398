// The only bridge between the console window and the main process; it exposes nothing yet.
import { contextBridge } from 'electron'

contextBridge.exposeInMainWorld('hermes', { platform: process.platform })
