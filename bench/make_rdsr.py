"""Write N CT (and optionally fluoroscopy) dose reports with fresh UIDs, for import benchmarks.

Each file is a real report from the corpus (``../shared/corpus/dicom`` or ``KERMA_CORPUS``)
with every instance UID replaced: study, series, SOP instance, irradiation events, frames of
reference. One file's replacements are consistent (a UID that appears twice gets the same new
value), and the Device Observer UID is kept, so the files import as distinct studies from the
same devices. The accession number changes too. The same seed gives the same files.

    python bench/make_rdsr.py OUT_DIR --count 1000 [--kinds ct,rf] [--seed 1]
"""
import argparse
import os
import random
import sys
from pathlib import Path

import pydicom
from pydicom.uid import generate_uid

REPO = Path(__file__).resolve().parents[1]
#: Reports used as templates, by kind (file name patterns in the corpus).
TEMPLATES = {"ct": ("CT-RDSR-*.dcm", "CT-ESR-*.dcm"), "rf": ("RF-RDSR-*.dcm",)}
#: UI elements that name a class or a syntax, not an instance: never replaced.
CLASS_KEYWORDS = {
    "SOPClassUID", "ReferencedSOPClassUID", "MediaStorageSOPClassUID", "TransferSyntaxUID",
    "ImplementationClassUID", "CodingSchemeUID", "MappingResourceUID",
    "ContextGroupExtensionCreatorUID", "TemplateExtensionCreatorUID", "ContextUID", "TemplateUID",
}
DEVICE_OBSERVER_UID = "121012"


def corpus_dir() -> Path:
    """The corpus of real DICOM objects."""
    return Path(os.environ.get("KERMA_CORPUS", REPO.parent / "shared" / "corpus")) / "dicom"


def templates(kinds, corpus: Path | None = None) -> list[Path]:
    """Template reports for the given kinds, in a stable order."""
    corpus = corpus or corpus_dir()
    found = []
    for kind in kinds:
        for pattern in TEMPLATES[kind]:
            found += sorted(corpus.glob(pattern))
    if not found:
        raise FileNotFoundError(f"no {', '.join(kinds)} dose reports in {corpus}")
    return found


def instance_uid_elements(ds) -> list:
    """(element, original value) for every instance UID in the dataset, content tree included."""
    found = []

    def visit(dataset, element):
        if element.VR != "UI" or element.keyword in CLASS_KEYWORDS or not element.value:
            return
        if element.keyword == "UID" and _concept(dataset) == DEVICE_OBSERVER_UID:
            return  # the device keeps its identity
        if isinstance(element.value, str):
            found.append((element, element.value))

    ds.walk(visit)
    return found


def _concept(dataset):
    concept = dataset.get("ConceptNameCodeSequence")
    return concept[0].get("CodeValue") if concept else None


def make_rdsrs(out_dir, count: int, kinds=("ct",), seed: int = 1, corpus=None) -> list[Path]:
    """Write ``count`` reports into ``out_dir`` (templates in turn); return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = templates(kinds, corpus)
    loaded = []
    for path in sources[:count]:
        ds = pydicom.dcmread(path)
        loaded.append((path, ds, instance_uid_elements(ds)))
    rng = random.Random(seed)
    written = []
    for number in range(count):
        path, ds, elements = loaded[number % len(loaded)]
        fresh = {}
        for element, original in elements:
            if original not in fresh:
                fresh[original] = generate_uid(entropy_srcs=[str(seed), str(number), original])
            element.value = fresh[original]
        ds.AccessionNumber = f"{rng.getrandbits(40):013d}"
        if getattr(ds, "file_meta", None):
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        target = out_dir / f"{path.stem}-{number:06d}.dcm"
        ds.save_as(target)
        written.append(target)
    return written


def main(argv=None):
    """Command line: write the files and say how many."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--kinds", default="ct", help="comma-separated: ct, rf")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = set(kinds) - set(TEMPLATES)
    if unknown:
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    written = make_rdsrs(args.out_dir, args.count, kinds, args.seed)
    print(f"wrote {len(written)} reports to {args.out_dir}")


if __name__ == "__main__":
    sys.exit(main())
