export { fileBaseDir } from './file-base-dir.js'
export { fileConnector } from './file-connector.js'
export { FileDestination } from './file-destination.js'
export { fileFormat, type FileCompression, type FileFormat } from './file-format.js'
export {
  fileDestinationOptions,
  fileSourceOptions,
  type FileDestinationOptions,
  type FileSourceOptions,
} from './file-options.js'
export type { FileReject } from './file-reject.js'
export { FileSource, type FileIoDeps } from './file-source.js'
export { requireFileFormat } from './require-file-format.js'
