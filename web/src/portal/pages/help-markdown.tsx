// A safe subset of Markdown rendered as React elements: paragraphs, headings, lists, tables,
// bold, code, links and images. No HTML is ever passed through, so an article cannot inject markup;
// links and images only go to http(s) or same-site paths.
import type { ReactNode } from "react";

function safeUrl(url: string): string | null {
  const trimmed = url.trim();
  if (/^https?:\/\//i.test(trimmed)) return trimmed;
  if (trimmed.startsWith("/") && !trimmed.startsWith("//")) return trimmed;
  return null;
}

const INLINE = /(!?)\[([^\]]*)\]\(([^)\s]*)\)|\*\*([^*]+)\*\*|`([^`]+)`/g;

export function renderInline(text: string, keyPrefix = "i"): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let n = 0;
  for (const m of text.matchAll(INLINE)) {
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const key = `${keyPrefix}-${n++}`;
    const [, bang, label = "", url = "", bold, code] = m;
    if (bold !== undefined) out.push(<strong key={key}>{renderInline(bold, key)}</strong>);
    else if (code !== undefined) out.push(<code key={key}>{code}</code>);
    else {
      const href = safeUrl(url);
      if (!href) out.push(label);
      else if (bang) out.push(<img key={key} src={href} alt={label} className="oc-help-image" />);
      else
        out.push(
          <a
            key={key}
            href={href}
            rel="noopener noreferrer"
            target={href.startsWith("/") ? undefined : "_blank"}
          >
            {label}
          </a>,
        );
    }
    last = at + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

type ListItem = { text: string; children: ListBlock | null };
type ListBlock = { ordered: boolean; items: ListItem[] };

const LIST_ITEM = /^(\s*)([-*+]|\d+\.)\s+(.*)$/;

/** Lines of one list (with deeper-indented lines as nested lists) into a tree. */
function parseList(lines: string[]): ListBlock {
  const first = LIST_ITEM.exec(lines[0] ?? "");
  const indent = first?.[1]?.length ?? 0;
  const block: ListBlock = { ordered: /\d/.test(first?.[2] ?? ""), items: [] };
  let nested: string[] = [];
  const flush = () => {
    const item = block.items.at(-1);
    if (item && nested.length > 0) item.children = parseList(nested);
    nested = [];
  };
  for (const line of lines) {
    const m = LIST_ITEM.exec(line);
    if (m && (m[1]?.length ?? 0) <= indent) {
      flush();
      block.items.push({ text: m[3] ?? "", children: null });
    } else if (m) nested.push(line);
    else {
      const item = block.items.at(-1);
      if (item && nested.length === 0) item.text += ` ${line.trim()}`;
    }
  }
  flush();
  return block;
}

function renderList(block: ListBlock, key: string): ReactNode {
  const items = block.items.map((item, i) => (
    // biome-ignore lint/suspicious/noArrayIndexKey: a rendered document's parts have no identity but their place
    <li key={`${key}-${i}`}>
      {renderInline(item.text, `${key}-${i}`)}
      {item.children ? renderList(item.children, `${key}-${i}-n`) : null}
    </li>
  ));
  return block.ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>;
}

const cells = (row: string) =>
  row
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((c) => c.trim());

function renderTable(lines: string[], key: string): ReactNode {
  const [head = "", , ...rows] = lines;
  return (
    <div className="oc-help-table" key={key}>
      <table>
        <thead>
          <tr>
            {cells(head).map((c, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a rendered document's parts have no identity but their place
              <th key={`${key}-h${i}`} scope="col">
                {renderInline(c, `${key}-h${i}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, ri) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a rendered document's parts have no identity but their place
            <tr key={`${key}-r${ri}`}>
              {cells(r).map((c, ci) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a rendered document's parts have no identity but their place
                <td key={`${key}-r${ri}c${ci}`}>{renderInline(c, `${key}-r${ri}c${ci}`)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The article body. Headings start at h2: the page's title is its only h1. */
export function HelpMarkdown({ source }: { source: string }) {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: ReactNode[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? "";
    const key = `b${blocks.length}`;
    if (line.trim() === "") {
      i++;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = Math.min(6, Math.max(2, (heading[1]?.length ?? 1) + 1));
      const content = renderInline(heading[2] ?? "", key);
      blocks.push(
        level === 2 ? (
          <h2 key={key}>{content}</h2>
        ) : level === 3 ? (
          <h3 key={key}>{content}</h3>
        ) : (
          <h4 key={key}>{content}</h4>
        ),
      );
      i++;
      continue;
    }
    const group: string[] = [];
    if (/^\s*\|/.test(line) && /^\s*\|?[-:| ]+\|/.test(lines[i + 1] ?? "")) {
      while (i < lines.length && /^\s*\|/.test(lines[i] ?? "")) group.push(lines[i++] ?? "");
      blocks.push(renderTable(group, key));
      continue;
    }
    if (LIST_ITEM.test(line)) {
      while (i < lines.length && (lines[i] ?? "").trim() !== "") group.push(lines[i++] ?? "");
      blocks.push(renderList(parseList(group), key));
      continue;
    }
    while (
      i < lines.length &&
      (lines[i] ?? "").trim() !== "" &&
      !LIST_ITEM.test(lines[i] ?? "") &&
      !/^#{1,6}\s/.test(lines[i] ?? "")
    ) {
      group.push((lines[i++] ?? "").trim());
    }
    blocks.push(<p key={key}>{renderInline(group.join(" "), key)}</p>);
  }
  return <div className="oc-help-body">{blocks}</div>;
}
