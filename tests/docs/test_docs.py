"""The manual pages and the sample configuration document everything.

The names come from the code's own tables, read from the source: the option
table of daemon/config.c (paths and flags), the fixed getopt table and
option string of daemon/main.c, the ADMIN_COMMANDS list of daemon/krpcmuxd.h,
krpcmuxctl's own commands, getopt table and option string.  Checked:
every option is in krpcmuxd.conf(5) and in conf/krpcmuxd.conf (inside its
group), every flag of krpcmuxd in krpcmuxd(8) (and a table flag in the
sample too), every krpcmuxctl command as a paragraph of krpcmuxctl(1) and
every admin command in krpcmuxd(8), every krpcmuxctl option in
krpcmuxctl(1); every page in docs/ is installed (dist_man_MANS); a page
naming the system service's admin socket names the unit's; and every
page is clean for groff -ww, man --warnings and, when installed,
mandoc -Tlint.
"""

import glob
import os
import re
import shutil
import subprocess
import sys

SRC = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
failures = []


def check(cond, what):
    if not cond:
        print("FAIL: " + what)
        failures.append(what)


def read(rel):
    with open(os.path.join(SRC, rel), encoding="utf-8") as f:
        return f.read()


def unroff(text):
    """The page's words without roff's escaped hyphens and font changes."""
    text = text.replace("\\-", "-").replace("\\e", "\\")
    return re.sub(r"\\f[BIRP]", "", text)


def table(text, start, end=r"\n\s*\};"):
    """The text of a C table from start to its closing brace (or the regex end)."""
    i = text.index(start)
    return text[i:re.compile(end).search(text, i).start()]


# ---- the code's tables ------------------------------------------------------

def config_options():
    """[(path, flag or None)] of daemon/config.c's option table."""
    t = table(read("daemon/config.c"), "config_options[] = {")
    return [(m.group(1), m.group(3)) for m in
            re.finditer(r'\{ "([a-z_]+\.[a-z_]+)", (NULL|"([a-z0-9-]+)"),', t)]


def getopt_table(rel, start):
    """[(long name, short letter or None)] of a getopt table; short only if in the option string."""
    text = read(rel)
    optstring = re.search(r'getopt_long\(argc, argv, "([^"]*)"', text).group(1)
    t = table(text, start)
    out = []
    for m in re.finditer(r'\{ "([a-z-]+)", (?:no|required|optional)_argument, NULL, \'(.)\' \}', t):
        out.append((m.group(1), m.group(2) if m.group(2) in optstring.replace(":", "") else None))
    return out


def admin_commands():
    t = table(read("daemon/krpcmuxd.h"), "#define ADMIN_COMMANDS(X)", r"\n\n")
    return re.findall(r"X\((\w+),", t)


def ctl_commands():
    t = table(read("daemon/krpcmuxctl.c"), "krpcmuxctl_local[] = {")
    return re.findall(r'\{ "(\w+)", "', t)


# ---- the checks -------------------------------------------------------------

def sample_settings():
    """{"group.name"} set (or commented out) in conf/krpcmuxd.conf, and its text."""
    text, group, seen = read("conf/krpcmuxd.conf"), None, set()
    for line in text.split("\n"):
        line = line.strip()
        m = re.match(r"#?([a-z_]+) = \{", line)
        if m:
            group = m.group(1)
        elif line.startswith("}"):
            group = None
        elif group and re.match(r"#?[a-z_]+ = ", line):
            seen.add(group + "." + re.match(r"#?([a-z_]+)", line).group(1))
    return seen, text


def flag_in(flag, text):
    return re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(flag), text) is not None


def check_config(options, conf5, man8):
    seen, sample = sample_settings()
    for path, flag in options:
        check(path in conf5, "%s is not in krpcmuxd.conf(5)" % path)
        check(path in seen, "%s is not in conf/krpcmuxd.conf" % path)
        if flag is not None:
            check(flag_in("--" + flag, man8), "--%s is not in krpcmuxd(8)" % flag)
            check(flag_in("--" + flag, sample), "--%s is not in conf/krpcmuxd.conf" % flag)


def check_daemon_flags(flags, man8):
    for name, short in flags:
        check(flag_in("--" + name, man8), "krpcmuxd --%s is not in krpcmuxd(8)" % name)
        if short is not None:
            check(flag_in("-" + short, man8), "krpcmuxd -%s is not in krpcmuxd(8)" % short)


def check_ctl(commands, admin, flags, man1, man8):
    for cmd in commands:
        check(re.search(r"^\.B %s$" % cmd, man1, re.M) is not None,
              "krpcmuxctl %s has no paragraph of its own in krpcmuxctl(1)" % cmd)
    for cmd in admin:
        check(re.search(r"^\.BR? %s\b" % cmd, man8, re.M) is not None,
              "admin command %s is not in krpcmuxd(8)" % cmd)
    for name, short in flags:
        check(flag_in("--" + name, man1), "krpcmuxctl --%s is not in krpcmuxctl(1)" % name)
        if short is not None:
            check(flag_in("-" + short, man1), "krpcmuxctl -%s is not in krpcmuxctl(1)" % short)


def check_service_admin_path(pages):
    """The system service's admin socket, as the pages name it, is the unit's --admin-path."""
    m = re.search(r"--admin-path (\S+)", read("systemd/krpcmuxd.service.in"))
    check(m is not None, "no --admin-path in systemd/krpcmuxd.service.in")
    if m is None:
        return
    for page in pages:
        for path in set(re.findall(r"/run/[\w.-]+/admin\b", unroff(read(page)))):
            check(path == m.group(1), "%s names %s; the system service's admin socket is %s"
                  % (page, path, m.group(1)))


def check_installed(pages):
    mk = "".join(read(p) for p in ["Makefile.am"] + sorted(
        os.path.relpath(f, SRC) for f in glob.glob(os.path.join(SRC, "**", "*.mk"), recursive=True)))
    installed = set()
    for m in re.finditer(r"dist_man_MANS \+?= ((?:[^\n\\]|\\\n)*)", mk):
        installed |= set(m.group(1).replace("\\\n", " ").split())
    for page in pages:
        check(page in installed, "%s is not installed (dist_man_MANS)" % page)


def run(argv, page):
    """What a linter printed about a page (its output and errors), or None if it is absent."""
    if shutil.which(argv[0]) is None:
        return None
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8", MANPAGER="cat", PAGER="cat")
    p = subprocess.run(argv + [os.path.join(SRC, page)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=60)
    out = p.stderr.decode(errors="replace")
    if argv[0] != "man":
        out += p.stdout.decode(errors="replace")
    if p.returncode != 0:
        out += "(exit status %d)" % p.returncode
    return out


def check_lint(pages):
    linters = (["groff", "-ww", "-z", "-man"], ["man", "--warnings", "-E", "UTF-8", "-l"],
               ["mandoc", "-Tlint"])
    for argv in linters:
        ran = False
        for page in pages:
            out = run(argv, page)
            if out is None:
                break
            ran = True
            check(out.strip() == "", "%s %s: %s" % (argv[0], page, out.strip()[:500]))
        print("%s: %s" % (argv[0], "%d pages checked" % len(pages) if ran else
                          "not installed, skipped (scripts/deps.sh installs it)"))


def main():
    options = config_options()
    daemon_flags = getopt_table("daemon/main.c", "fixed[] = {")
    ctl_flags = getopt_table("daemon/krpcmuxctl.c", "opts[] = {")
    admin, local = admin_commands(), ctl_commands()
    # The extraction itself must have found the tables: a broken pattern fails here.
    check(len(options) >= 20 and sum(1 for p, f in options if f) >= 10,
          "config.c's table not found (%d options)" % len(options))
    check(("config", "c") in daemon_flags and ("test-config", "t") in daemon_flags,
          "main.c's getopt table not found: %r" % daemon_flags)
    check(("admin-path", "a") in ctl_flags and len(admin) >= 8 and local == ["top"],
          "krpcmuxctl's tables not found: %r %r %r" % (ctl_flags, admin, local))
    print("%d options, %d krpcmuxd flags, %d commands, %d krpcmuxctl flags" % (
        len(options), len(daemon_flags), len(admin) + len(local), len(ctl_flags)))
    man1, man8 = unroff(read("docs/krpcmuxctl.1")), unroff(read("docs/krpcmuxd.8"))
    check_config(options, unroff(read("docs/krpcmuxd.conf.5")), man8)
    check_daemon_flags(daemon_flags, man8)
    check_ctl(admin + local, admin, ctl_flags, man1, man8)
    pages = sorted(os.path.relpath(p, SRC) for p in glob.glob(os.path.join(SRC, "docs", "*.[1-8]")))
    check_installed(pages)
    check_service_admin_path(pages)
    check_lint(pages)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
