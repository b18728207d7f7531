export { DatasetStore, type DatasetInfo } from './dataset-store.js'
