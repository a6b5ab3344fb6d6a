"""Pagefind's runs for the parts of the paper search's index, one after another, in a
process of their own (``paper_search.PaperSearchIndex`` starts it).

Run as a script, by its path, with the Pagefind binary and a JSON list of ``[documents,
output]`` folders: it imports nothing but the standard library, so it starts the same
however the extension was installed. It prints, as JSON, each run's exit status and
the last lines it said. Told to stop (a build that failed), it stops its run too.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys


def run_all(executable: str, jobs: list[list[str]]) -> list[tuple[int, str]]:
    running: list[subprocess.Popen[str]] = []

    def stop(signum: int, frame: object) -> None:
        for run in running:
            run.kill()
            run.wait()
        sys.exit(1)

    signal.signal(signal.SIGTERM, stop)
    results = []
    for documents, output in jobs:
        try:
            run = subprocess.Popen([executable, "--site", documents, "--output-path", output],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        except OSError as error:
            results.append((-1, str(error)))
            continue
        running[:] = [run]
        out, err = run.communicate()
        said = (err or out).strip().splitlines()[-3:]
        results.append((run.returncode, " ".join(said)))
    return results


if __name__ == "__main__":
    json.dump(run_all(sys.argv[1], json.loads(sys.argv[2])), sys.stdout)
