#!/usr/bin/env python3
# Checks that the man page of gst-opentok-server and the program's --help
# say the same thing, so that neither drifts from the other:
#
# - every option --help lists (its help options included) has an entry under
#   OPTIONS whose first line reads as --help prints it ("-p, --port=PORT");
# - that entry names the default --help gives ("(default 3000; ...)": 3000);
# - the page lists no option the program does not have;
# - every environment variable --help names is under ENVIRONMENT;
# - groff reads the page without a warning (groff-base must be installed).
#
#   check-man-page.py PROGRAM PAGE
#
# Exits with 0 when all hold, else 1 with one line for each problem.

import os
import re
import shutil
import subprocess
import sys

OPTION_LINE = re.compile(
    r"^\s+((?:-[A-Za-z0-9], )?--[a-z0-9-]+(?:=\S+)?)\s{2,}(.*)$")
DEFAULT = re.compile(r"\(default:?\s+([^;)]+)")
ENV_VAR = re.compile(r"(?:\$|variable\s+)([A-Z][A-Z0-9_]{2,})")


def help_options(program):
    env = dict(os.environ, LC_ALL="C")
    out = subprocess.run([program, "--help"], env=env, check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    options = {}
    for line in out.splitlines():
        m = OPTION_LINE.match(line)
        if m:
            options[m.group(1)] = m.group(2)
    return out, options


def plain(roff):
    """The text of a line of roff, without fonts and escapes."""
    text = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", roff)
    text = text.replace("\\-", "-").replace("\\e", "\\").replace("\\ ", " ")
    text = re.sub(r"\\[&|^]", "", text)
    if text.startswith("."):
        # a macro line: its arguments, quotes dropped, joined as B/BR/... do
        words = re.findall(r'"[^"]*"|\S+', text)[1:]
        text = "".join(w.strip('"') for w in words)
    return text


def sections(page):
    """{section name: [lines]} of the page."""
    result = {}
    current = None
    for line in open(page, encoding="utf-8").read().splitlines():
        if line.startswith('.\\"'):
            continue
        m = re.match(r'^\.SH\s+"?([^"]*)"?\s*$', line)
        if m:
            current = m.group(1).strip()
            result[current] = []
        elif current is not None:
            result[current].append(line)
    return result


def page_options(lines):
    """{tag as plain text: body as plain text} of the .TP entries."""
    entries = {}
    i = 0
    while i < len(lines):
        if lines[i].startswith(".TP") and i + 1 < len(lines):
            tag = plain(lines[i + 1]).strip()
            body = []
            i += 2
            while i < len(lines) and not lines[i].startswith((".TP", ".SH")):
                body.append(plain(lines[i]))
                i += 1
            entries[tag] = " ".join(body)
        else:
            i += 1
    return entries


def groff_warnings(page):
    groff = shutil.which("groff")
    if groff is None:
        return ["groff not found, the page cannot be linted: "
                "apt-get install groff-base"]
    res = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", page],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True)
    problems = [l for l in res.stderr.splitlines() if l.strip()]
    if res.returncode != 0 and not problems:
        problems = ["groff exited with %d" % res.returncode]
    return problems


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check-man-page.py PROGRAM PAGE")
    program, page = sys.argv[1:]
    problems = []

    help_text, options = help_options(program)
    if not options:
        problems.append("no option found in `%s --help`" % program)
    secs = sections(page)
    for name in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS",
                 "ENVIRONMENT", "EXAMPLES", "SEE ALSO"):
        if name not in secs:
            problems.append("the page has no %s section" % name)
    entries = page_options(secs.get("OPTIONS", []))

    for tag, text in options.items():
        if tag not in entries:
            problems.append("%s (from --help) has no entry under OPTIONS"
                            % tag)
            continue
        m = DEFAULT.search(text)
        if m:
            default = m.group(1).split()[0].strip("$,.")
            if default not in entries[tag]:
                problems.append("%s: --help gives the default %s, the page "
                                "does not" % (tag, default))
    for tag in entries:
        if tag not in options:
            problems.append("%s is under OPTIONS but not in --help" % tag)

    environment = " ".join(plain(l) for l in secs.get("ENVIRONMENT", []))
    for var in sorted(set(ENV_VAR.findall(help_text))):
        if var not in environment:
            problems.append("--help names %s, ENVIRONMENT does not" % var)

    problems += ["groff: " + p for p in groff_warnings(page)]

    for p in problems:
        print("FAIL: " + p)
    if problems:
        return 1
    print("%d options of --help, each under OPTIONS with its default"
          % len(options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
