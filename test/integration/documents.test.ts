// Documents streamed into the blob store with their SHA-256, the type decided by the
// bytes, downloads streamed back and audited; and the 一户式 dossier (A14.1) putting a
// subject's activities, cases, documents and exemptions on one timeline.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import PDFDocument from 'pdfkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseKinds } from '../support/databases.js';
import { adminSession, createInstall, Session, STRONG, type TestInstall } from '../support/zhilu.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function makePdf(text: string): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', info: { Title: text } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  doc.fontSize(14).text(text);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

/** A real 2×2 PNG: signature, IHDR, IDAT (zlib), IEND, with CRCs. */
function makePng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(2, 0);
  ihdr.writeUInt32BE(2, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const raw = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A stored (uncompressed) zip with the given entries: enough of a .docx for the type check. */
function makeZip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text);
    const n = Buffer.from(name);
    const crc = zlib.crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    centrals.push(central, n);
    offset += local.length + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** An OLE2 compound-file header followed by a directory naming the given stream. */
function makeOle(streamName: string): Buffer {
  const header = Buffer.alloc(512);
  header.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 0);
  const dir = Buffer.alloc(128);
  dir.write(streamName, 0, 'utf16le');
  return Buffer.concat([header, Buffer.alloc(512), dir, Buffer.alloc(384)]);
}

type Part = { name: string; value: string } | { name: string; filename: string; data: Buffer; type?: string };

/** A multipart/form-data body in the order given (Node's own FormData encoder). */
async function multipart(parts: Part[]): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const p of parts) {
    if ('data' in p)
      form.append(
        p.name,
        new Blob([new Uint8Array(p.data)], { type: p.type ?? 'application/octet-stream' }),
        p.filename,
      );
    else form.append(p.name, p.value);
  }
  const res = new Response(form);
  return { body: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type')! };
}

async function upload(s: Session, parts: Part[]) {
  const { body, contentType } = await multipart(parts);
  return s.request('POST', '/api/v1/documents', body, { 'content-type': contentType });
}

async function userSession(t: TestInstall, admin: Session, username: string, name: string, roles: string[]) {
  const { user, initialPassword } = (
    await admin.post('/api/v1/users', { username, name, code: `4111-${username}`, roles })
  ).json();
  const s = new Session(t.app);
  await s.login(username, initialPassword);
  const c = await s.post('/api/v1/auth/password', { currentPassword: initialPassword, newPassword: STRONG });
  if (c.statusCode !== 204) throw new Error(`password change failed: ${c.body}`);
  return { s, user: user as { id: string; name: string } };
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

describe.each(databaseKinds())('documents and the dossier on %s', (kind) => {
  let t: TestInstall;
  let admin: Session;
  let subject: { id: string; name: string };
  let blobDir: string;
  const committedBlobs = () => filesUnder(path.join(blobDir, 'blobs'));
  const documentCount = async () =>
    Number(
      (
        await t.zhilu.catalogue.db
          .selectFrom('documents')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeEach(async () => {
    t = await createInstall(kind);
    admin = await adminSession(t);
    blobDir = (t.config.storage as { dir: string }).dir;
    subject = (
      await admin.post('/api/v1/subjects', {
        type: 'slaughterhouse',
        name: '漯河市某生猪定点屠宰场',
        creditCode: '91440300708461136T',
      })
    ).json();
  });
  afterEach(async () => {
    await t.close();
  });

  it('stores a real PDF and PNG by their SHA-256 and streams identical bytes back, audited', async () => {
    const pdf = await makePdf('Inspection record 2026-08-04');
    const up = await upload(admin, [
      { name: 'kind', value: 'inspection_record' },
      { name: 'title', value: '现场检查笔录' },
      { name: 'subjectId', value: subject.id },
      { name: 'file', filename: '现场检查笔录.pdf', data: pdf, type: 'application/pdf' },
    ]);
    expect(up.statusCode).toBe(201);
    const doc = up.json();
    expect(doc).toMatchObject({
      sha256: sha256(pdf),
      size: pdf.length,
      filename: '现场检查笔录.pdf',
      mediaType: 'application/pdf',
      kind: 'inspection_record',
      title: '现场检查笔录',
      subjectId: subject.id,
      caseId: null,
      activityId: null,
      uploadedByName: '系统管理员',
    });
    // the stored bytes are the upload: content-addressed and re-hashed by the store
    expect(await t.zhilu.blobs.verify(doc.sha256)).toMatchObject({
      ok: true,
      actualSha256: sha256(pdf),
      size: pdf.length,
    });
    const [stored] = committedBlobs();
    expect(path.basename(stored!)).toBe(sha256(pdf));
    expect(sha256(fs.readFileSync(stored!))).toBe(sha256(pdf));

    const png = makePng();
    // the client's claimed type is ignored: the bytes say PNG
    const photo = await upload(admin, [
      { name: 'kind', value: 'photo' },
      { name: 'subjectId', value: subject.id },
      { name: 'file', filename: '营业执照.PNG', data: png, type: 'application/pdf' },
    ]);
    expect(photo.json()).toMatchObject({
      mediaType: 'image/png',
      sha256: sha256(png),
      title: '营业执照.PNG',
      kind: 'photo',
    });

    const down = await admin.get(`/api/v1/documents/${doc.id}/content`);
    expect(down.statusCode).toBe(200);
    expect(down.headers['content-type']).toBe('application/pdf');
    expect(down.headers['content-length']).toBe(String(pdf.length));
    expect(down.headers['etag']).toBe(`"${sha256(pdf)}"`);
    expect(down.headers['content-disposition']).toBe(
      `attachment; filename="______.pdf"; filename*=UTF-8''${encodeURIComponent('现场检查笔录.pdf')}`,
    );
    expect(sha256(down.rawPayload)).toBe(sha256(pdf));
    expect(down.rawPayload.equals(pdf)).toBe(true);
    const inline = await admin.get(`/api/v1/documents/${photo.json().id}/content?inline=true`);
    expect(inline.headers['content-disposition']).toMatch(/^inline; /);
    expect(inline.rawPayload.equals(png)).toBe(true);

    const audit = (await admin.get(`/api/v1/audit?targetId=${doc.id}`)).json().items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['document.download', 'document.upload']);
    expect(audit[0]).toMatchObject({
      outcome: 'success',
      details: { sha256: sha256(pdf), size: pdf.length },
    });
    expect(audit[1].details).toMatchObject({
      sha256: sha256(pdf),
      mediaType: 'application/pdf',
      subjectId: subject.id,
      newContent: true,
    });

    expect(
      (await admin.get(`/api/v1/documents?subjectId=${subject.id}`))
        .json()
        .items.map((d: { id: string }) => d.id),
    ).toEqual([photo.json().id, doc.id]);
    expect((await admin.get(`/api/v1/documents/${doc.id}`)).json().sha256).toBe(sha256(pdf));

    // the same bytes again: a second catalogue entry, one blob
    const again = await upload(admin, [
      { name: 'kind', value: 'other' },
      { name: 'subjectId', value: subject.id },
      { name: 'file', filename: 'copy.pdf', data: pdf },
    ]);
    expect(again.statusCode).toBe(201);
    expect(committedBlobs()).toHaveLength(2);
  });

  it('refuses an executable renamed .pdf, and other disallowed content, by its bytes', async () => {
    const exe = Buffer.concat([
      Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'),
      Buffer.alloc(4096, 0x41),
    ]);
    const r = await upload(admin, [
      { name: 'kind', value: 'inspection_record' },
      { name: 'subjectId', value: subject.id },
      { name: 'file', filename: '检查笔录.pdf', data: exe, type: 'application/pdf' },
    ]);
    expect(r.statusCode).toBe(415);
    expect(r.json().code).toBe('DOCUMENT_TYPE_NOT_ALLOWED');
    // a zip that is no Word document, an OLE file that is no .doc (e.g. an .msi), and HTML
    const zip = makeZip({ 'payload.exe': 'MZ' });
    const msi = makeOle('SummaryInformation');
    for (const [filename, data] of [
      ['a.docx', zip],
      ['a.doc', msi],
      ['a.pdf', Buffer.from('<html><script>alert(1)</script></html>')],
      ['a.docx', makeZip({ 'word/document.xml': '<w:document/>' }).subarray(0, 3)],
    ] as const) {
      const res = await upload(admin, [
        { name: 'kind', value: 'other' },
        { name: 'subjectId', value: subject.id },
        { name: 'file', filename, data },
      ]);
      expect([filename, res.statusCode, res.json().code]).toEqual([
        filename,
        415,
        'DOCUMENT_TYPE_NOT_ALLOWED',
      ]);
    }
    const empty = await upload(admin, [
      { name: 'kind', value: 'other' },
      { name: 'subjectId', value: subject.id },
      { name: 'file', filename: 'a.pdf', data: Buffer.alloc(0) },
    ]);
    expect(empty.json().code).toBe('DOCUMENT_EMPTY');
    expect(await documentCount()).toBe(0);
    expect(committedBlobs()).toHaveLength(0);
    expect(filesUnder(path.join(blobDir, 'tmp'))).toHaveLength(0);
  });

  it('accepts Word documents (.docx, .doc) and JPEG by their bytes', async () => {
    const docx = makeZip({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w:document/>' });
    const doc = makeOle('WordDocument');
    const jpeg = Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
      Buffer.from('JFIF\0'),
      Buffer.alloc(64),
      Buffer.from([0xff, 0xd9]),
    ]);
    const expected = [
      ['处罚决定书.docx', docx, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ['询问笔录.doc', doc, 'application/msword'],
      ['现场照片.jpeg', jpeg, 'image/jpeg'],
    ] as const;
    for (const [filename, data, mediaType] of expected) {
      const r = await upload(admin, [
        { name: 'kind', value: 'notice' },
        { name: 'subjectId', value: subject.id },
        { name: 'file', filename, data },
      ]);
      expect([filename, r.statusCode, r.json().mediaType]).toEqual([filename, 201, mediaType]);
    }
    // a .docx only by name: zip content is not enough without the name saying so
    const renamed = await upload(admin, [
      { name: 'kind', value: 'notice' },
      { name: 'subjectId', value: subject.id },
      { name: 'file', filename: 'x.zip', data: docx },
    ]);
    expect(renamed.json().code).toBe('DOCUMENT_TYPE_NOT_ALLOWED');
  });

  it('keeps a path-traversal or disguised file name as harmless display text', async () => {
    const pdf = await makePdf('passwd');
    const r = await upload(admin, [
      { name: 'kind', value: 'other' },
      { name: 'subjectId', value: subject.id },
      { name: 'file', filename: '../../etc/passwd.pdf', data: pdf },
    ]);
    expect(r.statusCode).toBe(201);
    expect(r.json().filename).toBe('passwd.pdf');
    // nothing was written anywhere but under the blob's hash
    const all = filesUnder(t.db.dataDir);
    expect(all.filter((f) => f.includes('passwd'))).toEqual([]);
    expect(committedBlobs().map((f) => path.relative(path.join(blobDir, 'blobs'), f))).toEqual([
      `${sha256(pdf).slice(0, 2)}/${sha256(pdf).slice(2, 4)}/${sha256(pdf)}`,
    ]);

    const sneaky = await upload(admin, [
      { name: 'kind', value: 'other' },
      { name: 'subjectId', value: subject.id },
      {
        name: 'file',
        filename: 'C:\\Users\\x\\报告\u202Efdp.exe\u0007' + 'x'.repeat(300) + '.pdf',
        data: pdf,
      },
    ]);
    const name = sneaky.json().filename as string;
    expect(name).not.toMatch(/[\u0000-\u001f\u202e\\/]/);
    expect(Array.from(name)).toHaveLength(200);
    expect(name.startsWith('报告fdp.exe')).toBe(true);
    expect(name.endsWith('.pdf')).toBe(true);
    // a name whose extension does not match the content is downloaded with the right one
    const odd = await upload(admin, [
      { name: 'kind', value: 'other' },
      { name: 'subjectId', value: subject.id },
      { name: 'file', filename: 'scan.exe', data: pdf },
    ]);
    const dl = await admin.get(`/api/v1/documents/${odd.json().id}/content`);
    expect(dl.headers['content-disposition']).toContain(`filename="scan.exe.pdf"`);
  });

  it('refuses a file over 50 MB with 413 and catalogues nothing', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024 + 1, 0x20);
    big.write('%PDF-1.7\n', 0, 'latin1');
    const r = await upload(admin, [
      { name: 'kind', value: 'other' },
      { name: 'subjectId', value: subject.id },
      { name: 'file', filename: 'big.pdf', data: big },
    ]);
    expect(r.statusCode).toBe(413);
    expect(r.json()).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', details: { maxBytes: 50 * 1024 * 1024 } });
    expect(await documentCount()).toBe(0);
    expect(committedBlobs()).toHaveLength(0);
    expect(filesUnder(path.join(blobDir, 'tmp'))).toHaveLength(0);
    // exactly the limit is fine
    const edge = await upload(admin, [
      { name: 'kind', value: 'other' },
      { name: 'subjectId', value: subject.id },
      { name: 'file', filename: 'edge.pdf', data: big.subarray(0, 50 * 1024 * 1024) },
    ]);
    expect(edge.statusCode).toBe(201);
    expect(edge.json().size).toBe(50 * 1024 * 1024);
  }, 120_000);

  it('needs a link that exists, a known kind, one file, and the upload permission', async () => {
    const pdf = await makePdf('x');
    const file = { name: 'file', filename: 'a.pdf', data: pdf };
    expect((await upload(admin, [{ name: 'kind', value: 'other' }, file])).json().code).toBe(
      'DOCUMENT_LINK_REQUIRED',
    );
    expect(
      (
        await upload(admin, [{ name: 'kind', value: 'other' }, { name: 'caseId', value: 'ghost' }, file])
      ).json().code,
    ).toBe('CASE_NOT_FOUND');
    expect(
      (
        await upload(admin, [{ name: 'kind', value: 'poem' }, { name: 'subjectId', value: subject.id }, file])
      ).json().code,
    ).toBe('VALIDATION_FAILED');
    expect(
      (
        await upload(admin, [
          { name: 'kind', value: 'other' },
          { name: 'subjectId', value: subject.id },
          { name: 'colour', value: 'red' },
          file,
        ])
      ).json().code,
    ).toBe('VALIDATION_FAILED');
    expect(
      (
        await upload(admin, [
          { name: 'kind', value: 'other' },
          { name: 'subjectId', value: subject.id },
        ])
      ).json().code,
    ).toBe('DOCUMENT_FILE_MISSING');
    const two = await upload(admin, [
      { name: 'kind', value: 'other' },
      { name: 'subjectId', value: subject.id },
      file,
      { ...file, filename: 'b.pdf' },
    ]);
    expect(two.json().code).toBe('DOCUMENT_ONE_FILE');
    expect((await admin.post('/api/v1/documents', { kind: 'other' })).json().code).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
    // metadata after the file is accepted too; the link is checked before cataloguing
    const late = await upload(admin, [
      file,
      { name: 'kind', value: 'other' },
      { name: 'subjectId', value: 'ghost' },
    ]);
    expect(late.json().code).toBe('SUBJECT_NOT_FOUND');
    const lateOk = await upload(admin, [
      file,
      { name: 'kind', value: 'other' },
      { name: 'subjectId', value: subject.id },
    ]);
    expect(lateOk.statusCode).toBe(201);
    expect(await documentCount()).toBe(1);

    const { s: supervisor } = await userSession(t, admin, 'jian.du', '监督员', ['supervisor']);
    const denied = await upload(supervisor, [
      { name: 'kind', value: 'other' },
      { name: 'subjectId', value: subject.id },
      file,
    ]);
    expect(denied.statusCode).toBe(403);
    // reading is everyone's, and audited
    const read = await supervisor.get(`/api/v1/documents/${lateOk.json().id}/content`);
    expect(read.rawPayload.equals(pdf)).toBe(true);
    const audit = (await admin.get('/api/v1/audit?action=document.download')).json().items;
    expect(audit[0]).toMatchObject({ actorName: 'jian.du', targetId: lateOk.json().id });
  });

  it('shows activities, cases, documents and exemptions of a subject on one timeline, newest first', async () => {
    const unit = (
      await admin.post('/api/v1/units', { name: '漯河市畜牧兽医执法大队', kind: 'brigade', code: '漯牧执' })
    ).json();
    const zhang = await userSession(t, admin, 'zhang.san', '张三', ['officer']);
    const li = await userSession(t, admin, 'li.si', '李四', ['officer']);
    const other = (await admin.post('/api/v1/subjects', { type: 'farm', name: '无关养殖场' })).json();

    const kase = (
      await admin.post('/api/v1/cases', {
        title: '涉嫌屠宰病害生猪案',
        subjectId: subject.id,
        filedOn: '2026-08-03',
        officerIds: [zhang.user.id, li.user.id],
        leadOfficerId: zhang.user.id,
        unitId: unit.id,
      })
    ).json();
    expect(kase.caseNumber).toBe('漯牧执罚〔2026〕001号');
    const now = t.clock.now();
    const activity = await zhang.s.post('/api/v1/activities', {
      type: 'routine_inspection',
      title: '节前检查',
      subjectId: subject.id,
      address: '漯河市源汇区',
      plannedAt: now - 3 * 3600_000,
      arrivedAt: now - 2 * 3600_000,
      endedAt: now - 3600_000,
      officerIds: [zhang.user.id, li.user.id],
      inChargeId: zhang.user.id,
    });
    expect(activity.statusCode).toBe(201);
    const act = activity.json();
    // the other subject's activity stays out of this dossier
    await zhang.s.post('/api/v1/activities', {
      type: 'complaint',
      subjectId: other.id,
      address: '别处',
      plannedAt: now - 3600_000,
      officerIds: [zhang.user.id, li.user.id],
      inChargeId: zhang.user.id,
    });

    t.clock.advance(60_000);
    const exemption = await zhang.s.post(`/api/v1/activities/${act.id}/exemptions`, {
      category: 'objective',
      reason: '记录仪故障',
      basis: '第七条第（三）项',
    });
    expect(exemption.statusCode).toBe(201);
    t.clock.advance(60_000);
    const pdf = await makePdf('record');
    const onActivity = (
      await upload(zhang.s, [
        { name: 'kind', value: 'inspection_record' },
        { name: 'title', value: '现场检查笔录' },
        { name: 'activityId', value: act.id },
        { name: 'file', filename: 'r.pdf', data: pdf },
      ])
    ).json();
    t.clock.advance(60_000);
    const onCase = (
      await upload(zhang.s, [
        { name: 'kind', value: 'notice' },
        { name: 'title', value: '责令改正通知书' },
        { name: 'caseId', value: kase.id },
        { name: 'file', filename: 'n.png', data: makePng() },
      ])
    ).json();
    t.clock.advance(60_000);
    const elsewhere = (
      await upload(zhang.s, [
        { name: 'kind', value: 'other' },
        { name: 'subjectId', value: other.id },
        { name: 'file', filename: 'o.png', data: makePng() },
      ])
    ).json();

    const r = await li.s.get(`/api/v1/subjects/${subject.id}/dossier`);
    expect(r.statusCode).toBe(200);
    const d = r.json();
    expect(d.subject).toMatchObject({ id: subject.id, name: subject.name });
    expect(d.activities.map((a: { id: string }) => a.id)).toEqual([act.id]);
    expect(d.activities[0].exemption).toMatchObject({ status: 'pending' });
    expect(d.cases.map((c: { id: string }) => c.id)).toEqual([kase.id]);
    expect(d.documents.map((x: { id: string }) => x.id)).toEqual([onCase.id, onActivity.id]);
    expect(d.documents.map((x: { id: string }) => x.id)).not.toContain(elsewhere.id);
    expect(d.exemptions.map((e: { id: string }) => e.id)).toEqual([exemption.json().id]);

    const timeline = d.timeline as {
      at: number;
      kind: string;
      id: string;
      title: string;
      detail: Record<string, unknown>;
    }[];
    expect(timeline.map((e) => [e.kind, e.id])).toEqual([
      ['document', onCase.id],
      ['document', onActivity.id],
      ['exemption', exemption.json().id],
      ['activity', act.id],
      ['case', kase.id],
    ]);
    expect(timeline.map((e) => e.at)).toEqual([...timeline.map((e) => e.at)].sort((a, b) => b - a));
    expect(timeline[3]).toMatchObject({
      at: now - 2 * 3600_000,
      title: '日常执法检查：节前检查',
      detail: { officers: ['张三', '李四'], exemptionStatus: 'pending' },
    });
    // filed on 2026-08-03: local midnight in Shanghai
    expect(timeline[4]).toMatchObject({
      at: Date.UTC(2026, 7, 2, 16),
      title: '漯牧执罚〔2026〕001号 立案：涉嫌屠宰病害生猪案',
      detail: { event: 'filed', on: '2026-08-03' },
    });
    expect(timeline[0]).toMatchObject({
      title: '责令改正通知书',
      detail: { kind: 'notice', caseId: kase.id },
    });

    // a case decided later adds its own milestone
    await admin.patch(`/api/v1/cases/${kase.id}`, { status: 'investigating' });
    await admin.patch(`/api/v1/cases/${kase.id}`, { status: 'decided' });
    const d2 = (await li.s.get(`/api/v1/subjects/${subject.id}/dossier`)).json();
    expect(
      d2.timeline
        .filter((e: { kind: string }) => e.kind === 'case')
        .map((e: { detail: { event: string } }) => e.detail.event),
    ).toEqual(['decided', 'filed']);
    expect((await li.s.get('/api/v1/subjects/ghost/dossier')).json().code).toBe('SUBJECT_NOT_FOUND');
  });
});
