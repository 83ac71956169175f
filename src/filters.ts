// Row-level selection (--status, --branch, --data-types) and the shape filter (--shapes).
import type { GeometryKind, NormalisedRow } from "./model.js";

export interface RowFilters {
  statuses?: ReadonlySet<string>; // label_status values to keep
  branches?: ReadonlySet<string>; // branch_name values to keep
  dataTypes?: ReadonlySet<string>; // row data_type values to keep
  shapes?: ReadonlySet<GeometryKind>; // geometry kinds to keep
}

/** Why a row is filtered out (its report code and reason), or undefined to keep it. */
export function applyRowFilters(row: NormalisedRow, f: RowFilters): { code: string; reason: string } | undefined {
  const m = row.meta;
  if (f.statuses && !f.statuses.has(m.labelStatus)) return { code: "status", reason: `label_status ${m.labelStatus || "(none)"} not selected by --status` };
  if (f.branches && !f.branches.has(m.branchName)) return { code: "branch", reason: `branch ${m.branchName || "(none)"} not selected by --branch` };
  if (f.dataTypes && !f.dataTypes.has(m.dataType)) return { code: "data-type", reason: `data type ${m.dataType || "(none)"} not selected by --data-types` };
  return undefined;
}

/** Encord's label statuses (docs/encord-format.md §1): what --status accepts. */
export const LABEL_STATUSES: readonly string[] = [
  "NOT_LABELLED", "LABEL_IN_PROGRESS", "LABELLED", "REVIEW_IN_PROGRESS", "REVIEWED", "REVIEWED_TWICE",
];

/** Encord's row data types: what --data-types accepts. */
export const DATA_TYPES: readonly string[] = [
  "image", "img_group", "video", "dicom", "nifti", "audio", "plain_text", "pdf", "group", "scene", "dicom_study",
];

/** Encord shape names and our geometry kinds, both accepted by --shapes. */
export const SHAPE_ALIASES: Readonly<Record<string, GeometryKind>> = {
  box: "box",
  bounding_box: "box",
  "rotated-box": "rotated-box",
  rotatable_bounding_box: "rotated-box",
  polygon: "polygon",
  polyline: "polyline",
  point: "point",
  skeleton: "skeleton",
  mask: "mask",
  bitmask: "mask",
};
