#!/usr/bin/env node
// In a checkout (src/ present) run the TypeScript source through tsx, so the CLI is never stale;
// the published package ships only dist/ and runs that.
import { existsSync } from 'node:fs'

const src = new URL('../src/cli/main.ts', import.meta.url)
if (existsSync(src)) {
  const { register } = await import('tsx/esm/api')
  register()
  await import(src.href)
} else {
  await import(new URL('../dist/cli/main.js', import.meta.url).href)
}
