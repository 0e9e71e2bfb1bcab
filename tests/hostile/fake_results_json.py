# BUILT ON examples/submissions/stub.py

# BEGIN HOSTILE at the top
# Hostile submission: implements nothing, and at import writes a results.json with a
# perfect score into its working directory, its parent, /tmp, /autograder/results,
# its home and the folder the submission file came from.
# Expected: zero points; no file appears anywhere but the child's scratch folder.
# END HOSTILE

# BEGIN HOSTILE at the end
import json
import os
from pathlib import Path

MARKER = "hostile-fake-results"
FAKE = {"score": 999.0, "tests": [{"name": "everything", "score": 999.0, "max_score": 999.0,
                                   "output": MARKER, "visibility": "visible"}]}
WRITTEN = []
for _folder in (".", "..", "/tmp", "/autograder/results", str(Path.home()), str(Path(__file__).resolve().parent)):
    try:
        os.makedirs(_folder, exist_ok=True)
        with open(os.path.join(_folder, "results.json"), "w") as _file:
            json.dump(FAKE, _file)
        WRITTEN.append(os.path.abspath(_folder))
    except OSError:
        pass
print("hostile: wrote results.json in", WRITTEN, flush=True)
# END HOSTILE
