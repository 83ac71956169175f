import { describe, expect, it } from "vitest";
import type { Category } from "../src/model.js";
import { classesTxt, dataYaml, flipIndex, mirrorNames, poseLayout, yamlString, yoloClassName } from "../src/writers/yolo-dataset.js";

const cat = (index: number, name: string, shape: string, keypoints?: string[]): Category => ({
  index,
  key: `h${index}`,
  name,
  shape,
  ...(keypoints ? { keypoints } : {}),
});

describe("class names", () => {
  it("keeps one name per line and agrees with classes.txt", () => {
    expect(yoloClassName("cat", 0)).toBe("cat");
    expect(yoloClassName(" two\nlines\u2028here ", 1)).toBe("two lines here");
    expect(yoloClassName("   ", 2)).toBe("class_2");
    expect(yoloClassName("a\uD800b", 3)).toBe("a\uFFFDb");
    expect(classesTxt(["cat", "dog"])).toBe("cat\ndog\n");
  });

  it("quotes YAML strings so they read back unchanged", () => {
    expect(yamlString("cat")).toBe('"cat"');
    expect(yamlString('say "hi" \\ #1: yes')).toBe('"say \\"hi\\" \\\\ #1: yes"');
    expect(yamlString("tab\there\u0085\u007f")).toBe('"tab\\there\\u0085\\u007f"');
    expect(yamlString("café 🐱")).toBe('"café 🐱"');
  });
});

describe("flip_idx", () => {
  it("pairs left/right names in their usual spellings", () => {
    expect(mirrorNames("Left_Eye")).toEqual(["right_eye"]);
    expect(mirrorNames("l_ear")).toEqual(["r_ear"]);
    expect(mirrorNames("nose")).toEqual([]);
    expect(flipIndex(["nose", "left_eye", "right_eye", "l_ear", "r_ear", "LeftHand", "rightHand"])).toEqual([0, 2, 1, 4, 3, 6, 5]);
  });

  it("is the identity when nothing pairs", () => {
    expect(flipIndex(["head", "tail", "left_wing"])).toEqual([0, 1, 2]);
  });

  it("k is the largest keypoint count; padding indices map to themselves", () => {
    const cats = [cat(0, "car", "bounding_box"), cat(1, "face", "skeleton", ["left_eye", "right_eye", "nose"]), cat(2, "pin", "point")];
    expect(poseLayout(cats, 0)).toEqual({ k: 3, flip: [1, 0, 2] });
    expect(poseLayout(cats, 5)).toEqual({ k: 5, flip: [1, 0, 2, 3, 4] });
  });

  it("falls back to identity when skeleton classes disagree", () => {
    const cats = [cat(0, "a", "skeleton", ["left", "right"]), cat(1, "b", "skeleton", ["up", "down"])];
    expect(poseLayout(cats, 0)).toEqual({ k: 2, flip: [0, 1] });
  });

  it("has one keypoint when there is no keypoint class", () => {
    expect(poseLayout([cat(0, "car", "bounding_box")], 0)).toEqual({ k: 1, flip: [0] });
  });
});

describe("data.yaml", () => {
  it("without splits: train, and val pointing at the train images", () => {
    expect(dataYaml({ task: "detect", splits: new Set(["train"]), names: ["cat", "dog"] })).toBe(
      [
        "# Ultralytics YOLO detect dataset written by encord-convert. Paths are relative to this file.",
        "# No val split: val points at the train images (Ultralytics requires val).",
        "train: images/train",
        "val: images/train",
        "nc: 2",
        "names:",
        '  0: "cat"',
        '  1: "dog"',
        "",
      ].join("\n"),
    );
  });

  it("with splits: train/val/test in that order, other names kept, pose keys", () => {
    const text = dataYaml({
      task: "pose",
      splits: new Set(["test", "holdout", "val", "train"]),
      names: ["person"],
      pose: { k: 3, flip: [1, 0, 2] },
    });
    expect(text).toBe(
      [
        "# Ultralytics YOLO pose dataset written by encord-convert. Paths are relative to this file.",
        "# Ultralytics reads only train, val and test; also written: holdout.",
        "train: images/train",
        "val: images/val",
        "test: images/test",
        "holdout: images/holdout",
        "nc: 1",
        "names:",
        '  0: "person"',
        "kpt_shape: [3, 3]",
        "flip_idx: [1, 0, 2]",
        "",
      ].join("\n"),
    );
  });

  it("reads a 'validation' split as val, and writes an empty class list as []", () => {
    const text = dataYaml({ task: "segment", splits: new Set(["validation", "train"]), names: [] });
    expect(text).toContain("train: images/train\nval: images/validation\nnc: 0\nnames: []\n");
  });
});
