"""crashdump_report - the libcrashdump report grammar, read in one place,
and the work of the tools that read reports: crashdump-run's summary
(and its process-group start), crashdump-symbolize and crashdump-fold.  Both tools run it
as `python3 crashdump_report.py COMMAND ARG...`; it is installed beside
them.

The grammar is the text report's (README "What you get"): a first line
"crashdump: WHAT in pid PID (PROGRAM)...", thread headers "thread TID ...",
frames "#K 0xPC FUNCTION+0xOFF (MODULE+0xMODOFF)" with, once symbolized,
" at FILE:LINE" and "    inlined: FUNCTION at FILE:LINE" lines after them,
"module PATH BIAS BUILD-ID" lines, and the trailer "crashdump: D of N
threads dumped in X ms"; threads that share a stack print it once after
one header, "group K: N threads NAMES (ORIGIN...): TIDS"; or one JSON object per line, format
"crashdump/1".
"""
import json
import os
import re
import signal
import struct
import subprocess
import sys

# ---- the report grammar ------------------------------------------------------

FIRST = re.compile(r'^crashdump: (.*?) in pid (\d+) \((.*)\)(.*)$')
REPORT_START = re.compile(r'^crashdump: .* in pid \d+')
TRAILER = re.compile(r'^crashdump: (\d+ of \d+ threads dumped)')
# A thread's header, or a group's: "group K: N threads NAMES (...): TIDS".
THREAD = re.compile(r'^(?:thread \d+|group \d+: \d+ threads )')
# A frame; groups 4 and 5 (FILE, LINE) once symbolized.
FRAME = re.compile(r'^\s*#(\d+) 0x[0-9a-fA-F]+ (\S+) \((.+?)\)(?: at (.+):(\d+))?$')
INLINED = re.compile(r'^\s+inlined: (\S+)(?: at (.+):(\d+))?$')
WHERE = re.compile(r'^(.+)\+0x([0-9a-fA-F]+)$')  # MODULE+0xOFFSET, or ??
MODULE = re.compile(r'^module (.+) 0x[0-9a-fA-F]+ (\S+)$')
JSON_START = re.compile(r'\{\s*"format"\s*:\s*"crashdump/1"')
# A blocked thread's wait with its object's module and offset (a lock in a
# module's data), once named: " object NAME" after it.
WAITING = re.compile(r'^waiting: .*?\((/[^()]+)\+0x([0-9a-fA-F]+)\)')

# ---- crashdump-run: the summary -----------------------------------------------

top = 0
workspace = ''

class Frame:
    def __init__(self, k, function, where, file=None, line=None):
        self.k, self.function, self.where = k, function, where
        self.file, self.line = file, line
        self.inlined = []  # (function, file, line), innermost first

    def show(self):
        out = ['    #%s %s%s' % (self.k, self.function, loc(self.file, self.line) or ' (%s)' % self.where)]
        out += ['        inlined: %s%s' % (f, loc(fl, ln)) for f, fl, ln in self.inlined]
        return out

    def locations(self):
        return [(f, fl, ln) for f, fl, ln in self.inlined if fl] + \
               ([(self.function, self.file, self.line)] if self.file else [])


def loc(file, line):
    return ' at %s:%s' % (file, line) if file else ''


SIGNALLED = re.compile(r'^thread (\d+) "((?:[^"\\]|\\.)*)".*\[signalled')
DEADLOCK = re.compile(r'^crashdump: deadlock: (.*)$')


def parse_text(lines):
    r = {'frames': [], 'complete': None, 'thread': None, 'deadlocks': []}
    state = 'before'  # before, in the signalled thread, after it
    for line in lines:
        m = DEADLOCK.match(line)
        if m:
            r['deadlocks'].append(m.group(1))
            continue
        m = FIRST.match(line)
        if m and 'pid' not in r:
            r['what'], r['pid'], r['program'] = m.group(1) + m.group(4), m.group(2), m.group(3)
            continue
        m = TRAILER.match(line)
        if m:
            r['complete'] = m.group(1)
        if THREAD.match(line):
            if state == 'in':
                state = 'after'
            elif state == 'before' and '[signalled' in line:
                state = 'in'
                m = SIGNALLED.match(line)
                r['thread'] = '%s "%s"' % (m.group(1), m.group(2)) if m else None
            continue
        if state != 'in':
            continue
        if not line.strip() or line.startswith(('missing thread', 'module ', 'crashdump: ')):
            state = 'after'
            continue
        m = FRAME.match(line)
        if m:
            r['frames'].append(Frame(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)))
            continue
        m = INLINED.match(line)
        if m and r['frames']:
            r['frames'][-1].inlined.append((m.group(1), m.group(2), m.group(3)))
    return r if 'pid' in r else None


def parse_json(line):
    m = JSON_START.search(line)
    try:
        obj = json.JSONDecoder().raw_decode(line, m.start())[0]
    except ValueError:
        return None
    sig = obj.get('signal')
    if obj.get('reason') == 'watchdog' or not isinstance(sig, dict):
        what = str(obj.get('reason') or 'report')
    else:
        what = str(sig.get('name') or sig.get('number'))
        extra = ', '.join(x for x in (sig.get('code'), 'address %s' % sig['address'] if sig.get('address') else None) if x)
        what += ' (%s)' % extra if extra else ''
        what += ', sent by pid %s' % sig['sender_pid'] if sig.get('sender_pid') else ''
        what += ", raised again by the program's handler" if sig.get('reraised') is True else ''
    threads = [t for t in obj.get('threads') or [] if isinstance(t, dict)]
    r = {'what': what, 'pid': str(obj.get('pid')),
         'program': os.path.basename(str(obj.get('exe') or '?')),
         'complete': '%d of %d threads dumped' % (len(threads), len(threads) + len(obj.get('missing') or [])),
         'frames': [], 'thread': None, 'deadlocks': []}
    names = {t.get('tid'): t.get('name') or '' for t in threads}
    for d in obj.get('deadlocks') or []:
        edges = [e for e in d.get('edges') or [] if isinstance(e, dict)]
        r['deadlocks'].append('; '.join('thread %s "%s" waits for %s %s held by thread %s "%s"' % (
            e.get('tid'), names.get(e.get('tid'), ''), e.get('kind'), e.get('address'),
            e.get('owner'), names.get(e.get('owner'), '')) for e in edges))
    signalled = [t for t in threads if t.get('signalled')] or threads[:1]
    if signalled:
        r['thread'] = '%s "%s"' % (signalled[0].get('tid'), signalled[0].get('name') or '')
    for k, f in enumerate(signalled[0].get('frames') or [] if signalled else []):
        fn = f.get('function')
        fn = '%s+%s' % (fn, f.get('offset')) if fn and f.get('offset') else (fn or '??')
        where = '%s+%s' % (f['module'], f.get('module_offset')) if f.get('module') else '??'
        fr = Frame(k, fn, where, f.get('file'), f.get('line'))
        fr.inlined = [(i.get('function') or '??', i.get('file'), i.get('line')) for i in f.get('inlined') or []]
        r['frames'].append(fr)
    return r


def parse(path):
    with open(path, 'rb') as f:
        text = f.read().decode('utf-8', 'replace')
    lines = text.split('\n')
    for line in lines:
        if JSON_START.search(line):
            r = parse_json(line)
            if r:
                return r
    return parse_text(lines)


def esc(s, prop=False):
    s = s.replace('%', '%25').replace('\r', '%0D').replace('\n', '%0A')
    return s.replace(':', '%3A').replace(',', '%2C') if prop else s


def annotation(path, r, head):
    candidates = [c for fr in r['frames'] for c in fr.locations()]
    inside = [c for c in candidates if os.path.isabs(c[1]) and
              os.path.realpath(c[1]).startswith(workspace + os.sep)]
    best = (inside or candidates or [None])[0]
    props = []
    if best:
        file = best[1]
        if inside:
            file = os.path.relpath(os.path.realpath(file), workspace)
        props += ['file=' + esc(file, True), 'line=' + esc(str(best[2]), True)]
    signal = r['what'].split(' ')[0].rstrip(',')
    props.append('title=' + esc('crashdump: %s in %s' % (signal, r['program']), True))
    body = [head] + [s.strip() for fr in r['frames'][:top] for s in fr.show()]
    return '::error %s::%s' % (','.join(props), esc('\n'.join(body)))


def summary(argv):
    """summary TOP MAX_SHOWN GITHUB FILE...: crashdump-run's summary on
    stderr, and GitHub annotations with GITHUB=1."""
    global top, workspace
    top, max_shown, github = int(argv[0]), int(argv[1]), argv[2] == '1'
    files = argv[3:]
    workspace = os.path.realpath(os.environ.get('GITHUB_WORKSPACE') or os.getcwd())
    for n, path in enumerate(files):
        if n == max_shown:
            print('crashdump-run: %d more reports not shown' % (len(files) - n), file=sys.stderr)
            break
        try:
            r = parse(path)
        except OSError as e:
            print('crashdump-run: %s: %s' % (path, e.strerror), file=sys.stderr)
            continue
        if not r:
            print('crashdump-run: %s: not a crashdump report' % path, file=sys.stderr)
            continue
        head = '%s pid %s: %s; %s' % (r['program'], r['pid'], r['what'], r['complete'] or 'incomplete report')
        out = ['%s: %s' % (path, head)]
        for fr in r['frames'][:top]:
            out += fr.show()
        for line in out:
            print('crashdump-run: ' + line, file=sys.stderr)
        if github:
            print(annotation(path, r, '%s: %s' % (path, head)), file=sys.stderr)
    return 0


# ---- crashdump-run: JUnit XML and the GitHub step summary ---------------------

def top_frame(r):
    """The signalled thread's first frame as a person reads it:
    FUNCTION at FILE:LINE, or FUNCTION (MODULE+0xOFF)."""
    if not r['frames']:
        return None
    fr = r['frames'][0]
    return '%s%s' % (fr.function, loc(fr.file, fr.line) or ' (%s)' % fr.where)


def case_message(r):
    """'SIGSEGV (SEGV_MAPERR, address 0x0) in thread 4242 "worker" at crash_here+0x4 at a.c:9'."""
    msg = r['what']
    if r.get('thread'):
        msg += ' in thread %s' % r['thread']
    if top_frame(r):
        msg += ' at %s' % top_frame(r)
    return msg


def xml_text(s):
    """Text for XML 1.0: escaped, and without the control characters it
    cannot hold (a thread name may have any byte)."""
    s = ''.join(c if c in '\t\n\r' or ord(c) >= 0x20 else '\\x%02x' % ord(c) for c in s)
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;')


def junit(argv):
    """junit OUT COMMAND STATUS FILE...: a JUnit XML file (the schema Jenkins,
    GitLab and Azure DevOps read) with one failing test case per report:
    the message names the signal, the thread and the top frame; the body
    holds the summary, the deadlocks; system-out the report's path as an
    attachment line. No report: one passing case for the command."""
    import time
    out, command, status, files = argv[0], argv[1], argv[2], argv[3:]
    cases = []
    for path in files:
        try:
            r = parse(path)
        except OSError:
            r = None
        if not r:
            continue
        body = ['%s pid %s: %s; %s' % (r['program'], r['pid'], r['what'], r['complete'] or 'incomplete report')]
        for fr in r['frames'][:top or 5]:
            body += [s.strip() for s in fr.show()]
        body += ['deadlock: ' + d for d in r['deadlocks']]
        kind = r['what'].split(' ')[0].rstrip(',')
        cases.append(
            '    <testcase classname="crashdump.%s" name="%s pid %s" time="0">\n'
            '      <failure message="%s" type="%s">%s</failure>\n'
            '      <system-out>[[ATTACHMENT|%s]]</system-out>\n'
            '    </testcase>' % (xml_text(r['program']), xml_text(r['program']), r['pid'],
                                xml_text(case_message(r)), xml_text(kind), xml_text('\n'.join(body)),
                                xml_text(os.path.abspath(path))))
    failures = len(cases)
    if not cases:
        cases.append('    <testcase classname="crashdump" name="%s" time="0"/>' % xml_text(
            'no crash, hang or deadlock: %s' % command))
    stamp = time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime())
    doc = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<testsuites name="crashdump-run" tests="%d" failures="%d" errors="0">\n'
           '  <testsuite name="crashdump-run: %s" tests="%d" failures="%d" errors="0" skipped="0" '
           'time="0" timestamp="%s" hostname="%s">\n'
           '    <properties><property name="exit status" value="%s"/></properties>\n'
           '%s\n'
           '  </testsuite>\n'
           '</testsuites>\n') % (len(cases), failures, xml_text(command), len(cases), failures, stamp,
                                 xml_text(os.uname().nodename), xml_text(status), '\n'.join(cases))
    try:
        tmp = out + '.tmp%d' % os.getpid()
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write(doc)
        os.replace(tmp, out)
    except OSError as e:
        print('crashdump-run: %s: %s' % (out, e.strerror), file=sys.stderr)
        return 1
    return 0


def md_cell(s):
    return (s or '').replace('\\', '\\\\').replace('|', '\\|').replace('\n', ' ')


def step_summary(argv):
    """step-summary COMMAND STATUS FILE...: a Markdown table of the reports,
    appended to $GITHUB_STEP_SUMMARY (GitHub shows it on the run's page)."""
    out = os.environ.get('GITHUB_STEP_SUMMARY')
    if not out:
        return 0
    command, status, files = argv[0], argv[1], argv[2:]
    rows = []
    for path in files:
        try:
            r = parse(path)
        except OSError:
            r = None
        if r:
            rows.append('| %s pid %s | %s | %s | %s | %s |' % (
                md_cell(r['program']), r['pid'], md_cell(r['what']), md_cell(r.get('thread')),
                '`%s`' % md_cell(top_frame(r)) if top_frame(r) else '',
                md_cell('; '.join(r['deadlocks']))))
    text = ['### crashdump-run: %d report%s; exit status %s' % (len(rows), '' if len(rows) == 1 else 's',
                                                             md_cell(status)),
            '', '`%s`' % md_cell(command), '']
    if rows:
        text += ['| process | signal or timeout | thread | top frame | deadlock |',
                 '| --- | --- | --- | --- | --- |'] + rows
    try:
        with open(out, 'a', encoding='utf-8') as f:
            f.write('\n'.join(text) + '\n\n')
    except OSError as e:
        print('crashdump-run: %s: %s' % (out, e.strerror), file=sys.stderr)
        return 1
    return 0


# ---- crashdump-symbolize ------------------------------------------------------

symbolizer = ''

BUILD_ID = re.compile(r'^[0-9a-f]{8,}$')
# Location lines: "FILE:LINE", with ":COLUMN" (elfutils) or
# " (discriminator N)" (binutils) after it; "??:0" or "??:?" when unknown.
LOCATION = re.compile(r'^(.*?):(\d+)(?::\d+)?(?: \(discriminator \d+\))?$')
SIGNAL_TRAMPOLINE = '__restore_rt'
DEBUG_ROOT = '/usr/lib/debug/.build-id'

def elf_notes(path):
    """The notes (NAME, TYPE, DESC) of an ELF64 little-endian file's PT_NOTE
    segments, NAME without its NUL; nothing for another file."""
    try:
        with open(path, 'rb') as f:
            hdr = f.read(64)
            if len(hdr) < 64 or hdr[:4] != b'\x7fELF' or hdr[4] != 2 or hdr[5] != 1:
                return
            phoff = struct.unpack_from('<Q', hdr, 32)[0]
            phentsize, phnum = struct.unpack_from('<HH', hdr, 54)
            for i in range(phnum):
                f.seek(phoff + i * phentsize)
                ph = f.read(56)
                if len(ph) < 56:
                    return
                p_type, _, p_offset, _, _, p_filesz, _, p_align = struct.unpack('<IIQQQQQQ', ph)
                if p_type != 4:  # PT_NOTE
                    continue
                align = 8 if p_align == 8 else 4
                f.seek(p_offset)
                data = f.read(min(p_filesz, 1 << 16))
                off = 0
                while off + 12 <= len(data):
                    namesz, descsz, ntype = struct.unpack_from('<III', data, off)
                    off += 12
                    name = data[off:off + namesz]
                    off += (namesz + align - 1) & ~(align - 1)
                    desc = data[off:off + descsz]
                    off += (descsz + align - 1) & ~(align - 1)
                    yield name.rstrip(b'\0'), ntype, desc
    except (OSError, struct.error):
        return


def elf_build_id(path):
    """The GNU build-id of an ELF64 little-endian file, as lowercase hex."""
    for name, ntype, desc in elf_notes(path):
        if ntype == 3 and name == b'GNU':  # NT_GNU_BUILD_ID
            return desc.hex()
    return None


target_cache = {}


def target_file(module, build_id):
    """The file to give the symbolizer for a module, or None when no file
    that matches the report is at hand."""
    key = (module, build_id)
    if key not in target_cache:
        target = None
        if build_id and BUILD_ID.match(build_id):
            debug = os.path.join(DEBUG_ROOT, build_id[:2], build_id[2:] + '.debug')
            if os.path.isfile(debug):
                target = debug
            elif os.path.isfile(module) and elf_build_id(module) == build_id:
                target = module
        elif os.path.isfile(module):
            target = module
        target_cache[key] = target
    return target_cache[key]


def parse_location(text):
    """(file, line) from a symbolizer location line, or (None, None)."""
    m = LOCATION.match(text)
    if not m or m.group(1) in ('', '??') or int(m.group(2)) == 0:
        return None, None
    return m.group(1), int(m.group(2))


def run_symbolizer(target, addresses):
    """{address: [(function, file, line), ...]} innermost first; the last
    entry is the function the address belongs to.  Empty on failure."""
    cmd = [symbolizer, '-e', target, '-a', '-f', '-i', '-C']
    text = ''.join('0x%x\n' % a for a in addresses)
    try:
        out = subprocess.run(cmd, input=text.encode(), stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=300).stdout
    except (OSError, subprocess.SubprocessError) as e:
        print('crashdump-symbolize: %s: %s' % (symbolizer, e), file=sys.stderr)
        return {}
    lines = out.decode('utf-8', 'replace').splitlines()
    # With -a each answer starts with the address echoed back, in order.
    groups, cur, nxt = {}, None, 0
    for line in lines:
        s = line.strip()
        if nxt < len(addresses) and re.match(r'^0x[0-9a-fA-F]+$', s) and int(s, 16) == addresses[nxt]:
            cur = groups.setdefault(addresses[nxt], [])
            nxt += 1
        elif cur is not None:
            cur.append(line)
    result = {}
    for addr, g in groups.items():
        chain = []
        for i in range(0, len(g) - 1, 2):
            func = re.sub(r' inlined at .* in .*$', '', g[i].strip())
            file, line = parse_location(g[i + 1].strip())
            chain.append((None if func == '??' else func, file, line))
        if chain and chain[-1][1] is not None:
            result[addr] = chain
    return result


def name_objects(target, addresses):
    """{address: "NAME" or "NAME+0xOFF"} for data addresses of target (the
    global a lock is): eu-addr2line -S knows data symbols; binutils'
    addr2line names functions only, so without elfutils there are none."""
    if os.path.basename(symbolizer) != 'eu-addr2line':
        return {}
    text = ''.join('0x%x\n' % a for a in addresses)
    try:
        out = subprocess.run([symbolizer, '-S', '-e', target], input=text.encode(),
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=300).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    lines = out.decode('utf-8', 'replace').splitlines()
    names = {}
    # Two lines an address: the symbol ("??" unknown), then its location.
    for i, addr in enumerate(addresses):
        if 2 * i < len(lines):
            name = lines[2 * i].strip()
            if name and name != '??' and ' ' not in name:
                names[addr] = name
    return names


def symbolize(argv):
    """symbolize SYMBOLIZER INPUT OUTPUT...: crashdump-symbolize's work;
    pairs INPUT OUTPUT ("-" for stdin and stdout), an OUTPUT file written
    only when its INPUT gained something.  Returns 1 when an input or
    output failed."""
    global symbolizer
    symbolizer = argv[0]
    pairs = [(argv[i], argv[i + 1]) for i in range(1, len(argv) - 1, 2)]
    # Reading: every input, its lines, and for each line what to look up.
    inputs = []
    requests = {}  # target file -> set of addresses
    data_requests = {}  # target file -> set of data addresses (locks)


    def request_data(module, build_id, offset):
        if module is None or offset is None:
            return None
        target = target_file(module, build_id)
        if target is None:
            return None
        data_requests.setdefault(target, set()).add(offset)
        return (target, offset)


    def request(module, build_id, offset, is_return):
        if module is None or offset is None:
            return None
        target = target_file(module, build_id)
        if target is None:
            return None
        addr = offset - 1 if is_return and offset > 0 else offset
        requests.setdefault(target, set()).add(addr)
        return (target, addr)


    def hexnum(s):
        try:
            return int(s, 16) if isinstance(s, str) else None
        except ValueError:
            return None


    def scan_json(obj):
        """Lookups for each frame of a JSON report: {(thread, frame): key}."""
        keys = {}
        build_ids = {}
        for m in obj.get('modules') or []:
            if isinstance(m, dict) and isinstance(m.get('path'), str):
                build_ids[m['path']] = m.get('build_id') if isinstance(m.get('build_id'), str) else None
        for ti, t in enumerate(obj.get('threads') or []):
            if not isinstance(t, dict):
                continue
            prev = None
            for fi, f in enumerate(t.get('frames') or []):
                if not isinstance(f, dict):
                    prev = None
                    continue
                is_return = fi > 0 and prev != SIGNAL_TRAMPOLINE
                prev = f.get('function')
                if 'file' in f:
                    continue
                module = f.get('module') if isinstance(f.get('module'), str) else None
                key = request(module, build_ids.get(module), hexnum(f.get('module_offset')), is_return)
                if key:
                    keys[(ti, fi)] = key
            w = t.get('wait')
            if isinstance(w, dict) and isinstance(w.get('module'), str) and 'object' not in w:
                key = request_data(w['module'], build_ids.get(w['module']), hexnum(w.get('module_offset')))
                if key:
                    keys[(ti, 'wait')] = key
        return keys


    def read_input(path):
        if path == '-':
            data = sys.stdin.buffer.read()
        else:
            with open(path, 'rb') as f:
                data = f.read()
        # Lines end at "\n" only (str.splitlines would also cut at \f, \x1c...).
        parts = data.decode('utf-8', 'surrogateescape').split('\n')
        lines = [p + '\n' for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
        # First pass: the module list of each text report (it comes after the frames).
        report_of_line, build_ids, report = [], [{}], 0
        for raw in lines:
            line = raw.rstrip('\r\n')
            if REPORT_START.match(line):
                report += 1
                build_ids.append({})
            report_of_line.append(report)
            m = MODULE.match(line)
            if m:
                build_ids[report][m.group(1)] = None if m.group(2) == '-' else m.group(2)
        # Second pass: frames.
        items, prev = [], None
        for i, raw in enumerate(lines):
            line = raw.rstrip('\r\n')
            m = FRAME.match(line)
            if m and m.group(4) is None:
                k, func = int(m.group(1)), m.group(2)
                is_return = k > 0 and prev != SIGNAL_TRAMPOLINE
                prev = func.split('+0x')[0]
                w = WHERE.match(m.group(3))
                key = None
                if w:
                    mod = w.group(1)
                    key = request(mod, build_ids[report_of_line[i]].get(mod), int(w.group(2), 16), is_return)
                items.append(('frame', raw, key))
                continue
            if THREAD.match(line) or not line.strip():
                prev = None
            w = WAITING.match(line)
            if w and ' object ' not in line:
                mod = w.group(1)
                key = request_data(mod, build_ids[report_of_line[i]].get(mod), int(w.group(2), 16))
                items.append(('waiting', raw, key))
                continue
            j = JSON_START.search(line)
            if j:
                try:
                    obj, end = json.JSONDecoder().raw_decode(line, j.start())
                except ValueError:
                    obj = None
                if isinstance(obj, dict):
                    items.append(('json', (raw[:j.start()], obj, raw[end:], raw), scan_json(obj)))
                    continue
            items.append(('line', raw, None))
        return items


    failed = False
    for inp, outp in pairs:
        try:
            inputs.append((inp, outp, read_input(inp)))
        except OSError as e:
            print('crashdump-symbolize: %s: %s' % (inp, e.strerror), file=sys.stderr)
            failed = True

    answers = {}
    for target, addrs in requests.items():
        for addr, chain in run_symbolizer(target, sorted(addrs)).items():
            answers[(target, addr)] = chain
    objects = {}
    for target, addrs in data_requests.items():
        for addr, name in name_objects(target, sorted(addrs)).items():
            objects[(target, addr)] = name


    def loc(file, line):
        return ' at %s:%d' % (file, line) if file is not None else ''


    def write_output(outp, items):
        """Writes the symbolized input; to a file only when it gained something."""
        changed = False
        chunks = []
        for kind, data, key in items:
            if kind == 'frame' and key in answers:
                chain = answers[key]
                body = data.rstrip('\r\n')
                eol = data[len(body):]
                _, file, line = chain[-1]
                chunks.append(body + loc(file, line))
                for func, ifile, iline in chain[:-1]:
                    chunks.append((eol or '\n') + '    inlined: %s%s' % (func or '??', loc(ifile, iline)))
                chunks.append(eol)
                changed = True
            elif kind == 'waiting' and key in objects:
                body = data.rstrip('\r\n')
                chunks.append(body + ' object ' + objects[key] + data[len(body):])
                changed = True
            elif kind == 'json' and any(k in answers or k in objects for k in key.values()):
                prefix, obj, rest, _ = data
                for (ti, fi), k in key.items():
                    if fi == 'wait':
                        if k in objects:
                            obj['threads'][ti]['wait']['object'] = objects[k]
                        continue
                    if k not in answers:
                        continue
                    chain = answers[k]
                    f = obj['threads'][ti]['frames'][fi]
                    _, f['file'], f['line'] = chain[-1]
                    f['inlined'] = [{'function': fn, 'file': fl, 'line': ln} for fn, fl, ln in chain[:-1]]
                chunks.append(prefix + json.dumps(obj, separators=(',', ':')) + rest)
                changed = True
            elif kind == 'json':
                chunks.append(data[3])
            else:
                chunks.append(data)
        out = ''.join(chunks).encode('utf-8', 'surrogateescape')
        if outp == '-':
            sys.stdout.buffer.write(out)
            sys.stdout.buffer.flush()
        elif changed:
            with open(outp, 'wb') as f:
                f.write(out)


    for inp, outp, items in inputs:
        try:
            write_output(outp, items)
        except OSError as e:
            print('crashdump-symbolize: %s: %s' % (outp, e.strerror), file=sys.stderr)
            failed = True
    return 1 if failed else 0


# ---- crashdump-run: the command in a group of its own -------------------------

def exec_group(argv):
    """exec-group [--keep-int-ignored] PRELOAD COMMAND...: COMMAND in a
    process group of its own with LD_PRELOAD=PRELOAD (bash has no setpgid,
    and setsid is util-linux); SIGPIPE and SIGXFSZ, which python ignores,
    and SIGQUIT, which -t needs and which is ignored when crashdump-run
    itself was started with & by a script, are put back to their defaults
    before the exec, and so is SIGINT, which bash ignores in a command it
    starts in the background, unless crashdump-run was started with it
    ignored (then the command keeps ignoring it, as it would without us)."""
    keep_int = argv[0] == '--keep-int-ignored'
    argv = argv[1:] if keep_int else argv
    os.setpgid(0, 0)
    for s in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGQUIT) + (() if keep_int else (signal.SIGINT,)):
        signal.signal(s, signal.SIG_DFL)
    os.environ["LD_PRELOAD"] = argv[0]
    try:
        os.execvp(argv[1], argv[1:])
    except OSError as e:
        print("crashdump-run: %s: %s" % (argv[1], e.strerror), file=sys.stderr)
        return 126


# ---- crashdump-run: a dump of the tree before a runner's signal -------------

JSON_END = re.compile(r'"elapsed_ms":[0-9.]+\}$')  # the JSON report's last member
DUMP_REQUEST = 0x63647271  # shim/entry/on_quit.c: a SIGQUIT with it dumps, and the process goes on


def tree_of(root):
    """root and every process below it (by parent), and every process of
    its process group: the command's tree."""
    parent, group = {}, {}
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % d, 'rb') as f:
                fields = f.read().decode('ascii', 'replace').rsplit(')', 1)[1].split()
        except (OSError, IndexError):
            continue
        parent[int(d)], group[int(d)] = int(fields[1]), int(fields[2])
    tree, grew = {p for p in parent if p == root or group[p] == root}, True
    while grew:
        more = {p for p in parent if parent[p] in tree} - tree
        tree |= more
        grew = bool(more)
    return sorted(tree)


def is_go(exe):
    """The Go build note (owner "Go", type 4), as the library's own runtime
    check reads it: Go keeps SIGQUIT for itself."""
    return any(name == b'Go' and ntype == 4 for name, ntype, _ in elf_notes(exe))


def dumps_on_request(pid):
    """The library is in pid and SIGQUIT is still its own (not ignored)."""
    try:
        with open('/proc/%d/maps' % pid) as f:
            if not any(line.rstrip().endswith('/libcrashdump.so') for line in f):
                return False
        with open('/proc/%d/status' % pid) as f:
            status = dict(line.split(':', 1) for line in f if ':' in line)
        quit_bit = 1 << (signal.SIGQUIT - 1)
        if int(status['SigIgn'], 16) & quit_bit or not int(status['SigCgt'], 16) & quit_bit:
            return False
        return not is_go('/proc/%d/exe' % pid)
    except (OSError, KeyError, ValueError):
        return False


def report_done(path):
    """A report file that holds a whole report: its trailer, or a JSON
    object with its last member, ends it."""
    try:
        with open(path, 'rb') as f:
            f.seek(max(0, os.path.getsize(path) - 4096))
            tail = f.read().decode('utf-8', 'replace')
    except OSError:
        return False
    last = tail.rstrip('\n').rsplit('\n', 1)[-1]
    return tail.endswith('\n') and (TRAILER.match(last) is not None or
                                    JSON_END.search(last) is not None)


def dump_tree(argv):
    """dump-tree ROOT DIR WAIT_MS: asks every process of ROOT's tree that
    has the library to dump and go on (a SIGQUIT queued with the request
    value), then waits, WAIT_MS at most, until each has a whole new report
    in DIR. Prints "DUMPED ASKED"."""
    import ctypes
    import time

    class Sigval(ctypes.Union):
        _fields_ = [('sival_int', ctypes.c_int), ('sival_ptr', ctypes.c_void_p)]

    root, folder, wait_ms = int(argv[0]), argv[1], int(argv[2])
    libc = ctypes.CDLL(None, use_errno=True)
    libc.sigqueue.argtypes = [ctypes.c_int, ctypes.c_int, Sigval]
    before = set(os.listdir(folder))
    asked = [p for p in tree_of(root) if dumps_on_request(p)]
    asked = [p for p in asked if libc.sigqueue(p, signal.SIGQUIT, Sigval(sival_int=DUMP_REQUEST)) == 0]
    deadline, done = time.monotonic() + wait_ms / 1000.0, set()
    while len(done) < len(asked) and time.monotonic() < deadline:
        for name in set(os.listdir(folder)) - before:
            parts = name.split('.')
            if len(parts) >= 3 and parts[-2].isdigit() and int(parts[-2]) in asked and \
                    report_done(os.path.join(folder, name)):
                done.add(int(parts[-2]))
        if len(done) < len(asked):
            time.sleep(0.01)
    print('%d %d' % (len(done), len(asked)))
    return 0


# ---- crashdump-fold: folded stacks for flame graphs -------------------------

GROUP = re.compile(r'^group \d+: (\d+) threads (.*) \((?:[^()]|\([^()]*\))*\): [0-9 /-]+$')
HEADER = re.compile(r'^thread \d+ "((?:[^"\\]|\\.)*)"')
WAIT_WORD = re.compile(r'^waiting: (\w+)(?: ([a-z_0-9]+))?')


def fold_frame(function, where):
    """A frame's name in a folded stack: its function without the offset,
    or, unnamed, its module's file name and offset; never a ';'."""
    name = function.split('+0x')[0] if function != '??' else ''
    if not name:
        w = WHERE.match(where)
        name = '%s+0x%s' % (os.path.basename(w.group(1)), w.group(2)) if w else '??'
    return name.replace(';', ':')


def wait_frame(kind, call):
    return '[%s]' % (call if kind == 'syscall' and call else kind)


def fold_text(lines, names, waits, out):
    """Adds each stack of a text report to out: (frames outermost first) ->
    threads; a group's header counts its N threads."""
    stack, count, prefix = None, 0, []

    def flush():
        if stack is not None and stack:
            key = ';'.join(prefix + list(reversed(stack)))
            out[key] = out.get(key, 0) + count

    for line in lines:
        line = line.rstrip('\r\n')
        g, h = GROUP.match(line), HEADER.match(line)
        if g or h:
            flush()
            stack, count = [], int(g.group(1)) if g else 1
            label = g.group(2).replace('"', '') if g else h.group(1)
            prefix = [label.replace(';', ':')] if names else []
            continue
        if stack is None:
            continue
        w = WAIT_WORD.match(line)
        if w and not stack:
            if waits:
                prefix.append(wait_frame(w.group(1), w.group(2)))
            continue
        m = FRAME.match(line)
        if m:
            stack.append(fold_frame(m.group(2), m.group(3)))
            continue
        if not INLINED.match(line) and not line.startswith('(truncated'):
            flush()
            stack = None
    flush()


def fold_json(obj, names, waits, out):
    for t in obj.get('threads') or []:
        if not isinstance(t, dict) or not t.get('frames'):
            continue
        prefix = [str(t.get('name') or '').replace(';', ':')] if names else []
        w = t.get('wait')
        if waits and isinstance(w, dict):
            prefix.append(wait_frame(w.get('kind'), w.get('syscall')))
        frames = []
        for f in t['frames']:
            fn = f.get('function') or '??'
            where = '%s+%s' % (f['module'], f.get('module_offset')) if f.get('module') else '??'
            frames.append(fold_frame(fn, where))
        key = ';'.join(prefix + list(reversed(frames)))
        out[key] = out.get(key, 0) + 1


def fold(argv):
    """fold NAMES WAITS FILE...: folded stacks of every report in the files
    ('-' for stdin), merged, one 'frame;frame COUNT' line each."""
    names, waits, files = argv[0] == '1', argv[1] == '1', argv[2:]
    out, status = {}, 0
    for path in files:
        try:
            if path == '-':
                text = sys.stdin.buffer.read().decode('utf-8', 'replace')
            else:
                with open(path, 'rb') as f:
                    text = f.read().decode('utf-8', 'replace')
        except OSError as e:
            print('crashdump-fold: %s: %s' % (path, e.strerror), file=sys.stderr)
            status = 1
            continue
        lines, text_lines = text.split('\n'), []
        for line in lines:
            j = JSON_START.search(line)
            if j:
                try:
                    fold_json(json.JSONDecoder().raw_decode(line, j.start())[0], names, waits, out)
                    continue
                except ValueError:
                    pass
            text_lines.append(line)
        fold_text(text_lines, names, waits, out)
    if not out and status == 0:
        print('crashdump-fold: no thread stacks found in %s' % ' '.join(files), file=sys.stderr)
        status = 1
    for key in sorted(out):
        print('%s %d' % (key, out[key]))
    return status


COMMANDS = {'summary': summary, 'symbolize': symbolize, 'exec-group': exec_group, 'fold': fold,
            'dump-tree': dump_tree, 'junit': junit, 'step-summary': step_summary}

if __name__ == '__main__':
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print('usage: crashdump_report.py summary|symbolize|fold|exec-group|dump-tree|junit|step-summary ARG...', file=sys.stderr)
        sys.exit(2)
    sys.exit(COMMANDS[sys.argv[1]](sys.argv[2:]))
