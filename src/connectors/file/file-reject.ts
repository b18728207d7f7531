import type { RejectedRecord } from '../../data/connector-contract.js'

/** A line of an input file that could not be read: where, why, and its text. */
export type FileReject = RejectedRecord
