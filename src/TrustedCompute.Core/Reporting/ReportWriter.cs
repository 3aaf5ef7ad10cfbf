using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TrustedCompute.Attestation;

namespace TrustedCompute.Reporting;

/// <summary>
/// Writes a <see cref="FleetReport"/> as one self-contained HTML page (inline style, script and SVG; nothing
/// fetched) or as CSV. Every text is encoded, and the page's Content-Security-Policy lets only its own script run.
/// </summary>
public static class ReportWriter
{
    private static readonly AttestationVerdict[] Verdicts = [AttestationVerdict.Trusted, AttestationVerdict.Untrusted, AttestationVerdict.Unknown];
    private const string NeverAttested = "NotAttested";

    private const string Style = """
        body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}h1{font-size:1.5em;margin:0}
        .meta{color:#555}.counts{display:flex;gap:1em;list-style:none;padding:0}
        .counts li{border:1px solid #ccc;border-radius:6px;padding:.5em 1em}.counts b{font-size:1.4em;display:block}
        table{border-collapse:collapse;width:100%;margin-top:1em}th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top;overflow-wrap:break-word}
        td.name,td.text,td.reasons{overflow-wrap:anywhere}.v{white-space:nowrap}
        th{background:#f3f3f3}td.mono,.mono{font-family:ui-monospace,monospace;font-size:.85em;word-break:break-all}
        .v{font-weight:bold;padding:0 .4em;border-radius:4px}.Trusted{background:#d7f5dd}.Untrusted{background:#fbd5d5}
        .Unknown{background:#fdf1c7}.NotAttested{background:#e5e5e5}.detail td{background:#fafafa}
        details summary{cursor:pointer}.charts{display:flex;gap:2em;flex-wrap:wrap}
        @media print{.noprint{display:none}details>summary{list-style:none}tr{page-break-inside:avoid}}
        """;

    private const string Script = """
        (function(){
          var verdict=document.getElementById('verdict-filter'),host=document.getElementById('host-filter');
          var shown=document.getElementById('shown');
          function apply(){
            var v=verdict.value,h=host.value.toLowerCase(),n=0;
            document.querySelectorAll('tr.host').forEach(function(row){
              var name=row.querySelector('.name').textContent.toLowerCase();
              var show=(v===''||row.getAttribute('data-verdict')===v)&&(h===''||name.indexOf(h)>=0);
              row.hidden=!show;var d=document.getElementById(row.id+'-detail');if(d){d.hidden=!show;}
              if(show){n++;}
            });
            shown.textContent=n+' shown';
          }
          var preset=/verdict=(\w+)/.exec(location.hash);if(preset){verdict.value=preset[1];}
          if(/\bopen\b/.test(location.hash)){document.querySelectorAll('details').forEach(function(d){d.open=true;});}
          verdict.addEventListener('change',apply);host.addEventListener('input',apply);
          window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=true;});});
          apply();
        })();
        """;

    public static void WriteHtml(FleetReport report, TextWriter w)
    {
        string scriptHash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Script)));
        w.Write("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
        w.Write($"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{scriptHash}'\">\n");
        w.Write("<meta name=\"viewport\" content=\"width=device-width\"><title>TrustedCompute fleet report</title>\n");
        w.Write($"<style>{Style}</style></head><body>\n");
        w.Write($"<header><h1>Fleet attestation report</h1><p class=\"meta\">Generated {Time(report.GeneratedAt)} from {E(report.StoreLocation)}; " +
            $"{report.Hosts.Count} host(s).</p></header>\n");
        WriteSummary(report, w);
        w.Write("<section id=\"filters\" class=\"noprint\"><label>Verdict <select id=\"verdict-filter\"><option value=\"\">All</option>");
        foreach (var v in Verdicts) w.Write($"<option value=\"{v}\">{v}</option>");
        w.Write($"<option value=\"{NeverAttested}\">Not attested</option></select></label> ");
        w.Write("<label>Host <input id=\"host-filter\" type=\"search\" placeholder=\"name contains\"></label> <span id=\"shown\"></span></section>\n");
        w.Write("<table id=\"hosts\"><thead><tr><th>Host</th><th>Verdict</th><th>Last attested</th><th>Policy</th><th>TPM</th><th>Reasons</th></tr></thead><tbody>\n");
        for (int i = 0; i < report.Hosts.Count; i++) WriteHost(report.Hosts[i], $"host-{i}", w);
        w.Write("</tbody></table>\n");
        w.Write($"<script>{Script}</script>\n</body></html>\n");
    }

    private static void WriteSummary(FleetReport report, TextWriter w)
    {
        w.Write("<section id=\"summary\"><ul class=\"counts\">");
        foreach (var v in Verdicts) w.Write($"<li id=\"count-{v}\" class=\"{v}\" data-count=\"{report.Count(v)}\">{v}<b>{report.Count(v)}</b></li>");
        w.Write($"<li id=\"count-{NeverAttested}\" class=\"{NeverAttested}\" data-count=\"{report.Count(null)}\">Not attested<b>{report.Count(null)}</b></li></ul>\n");
        w.Write("<div class=\"charts\">");
        int max = Math.Max(1, Verdicts.Max(v => report.Count(v)));
        w.Write("<svg id=\"chart\" role=\"img\" aria-label=\"Hosts per verdict\" width=\"320\" height=\"140\" viewBox=\"0 0 320 140\">");
        for (int i = 0; i < Verdicts.Length; i++)
        {
            int count = report.Count(Verdicts[i]), height = (int)Math.Round(100.0 * count / max);
            w.Write($"<rect class=\"bar\" data-verdict=\"{Verdicts[i]}\" x=\"{20 + 100 * i}\" y=\"{110 - height}\" width=\"70\" height=\"{height}\" fill=\"{Color(Verdicts[i])}\"/>");
            w.Write($"<text x=\"{55 + 100 * i}\" y=\"128\" text-anchor=\"middle\" font-size=\"12\">{Verdicts[i]} ({count})</text>");
        }
        w.Write("</svg>");
        WriteTrend(report.Trend, w);
        w.Write("</div></section>\n");
    }

    private static void WriteTrend(IReadOnlyList<TrendPoint> trend, TextWriter w)
    {
        var days = trend.TakeLast(30).ToList();
        int max = Math.Max(1, days.Select(d => d.Trusted + d.Untrusted + d.Unknown).DefaultIfEmpty(0).Max());
        w.Write("<svg id=\"trend\" role=\"img\" aria-label=\"Results per day\" width=\"380\" height=\"140\" viewBox=\"0 0 380 140\">");
        w.Write("<text x=\"0\" y=\"12\" font-size=\"12\">Results per day (last 30 days with results)</text>");
        for (int i = 0; i < days.Count; i++)
        {
            double y = 120;
            foreach (var (v, n) in new[] { (AttestationVerdict.Trusted, days[i].Trusted), (AttestationVerdict.Untrusted, days[i].Untrusted),
                         (AttestationVerdict.Unknown, days[i].Unknown) })
            {
                double h = 95.0 * n / max;
                y -= h;
                if (n > 0) w.Write(FormattableString.Invariant($"<rect class=\"day\" x=\"{12 * i}\" y=\"{y:0.#}\" width=\"10\" height=\"{h:0.#}\" fill=\"{Color(v)}\"><title>{days[i].Day:yyyy-MM-dd}: {n} {v}</title></rect>"));
            }
        }
        if (days.Count > 0)
            w.Write($"<text x=\"0\" y=\"135\" font-size=\"10\">{days[0].Day:yyyy-MM-dd}</text><text x=\"370\" y=\"135\" font-size=\"10\" text-anchor=\"end\">{days[^1].Day:yyyy-MM-dd}</text>");
        w.Write("</svg>");
    }

    private static void WriteHost(HostReport h, string id, TextWriter w)
    {
        string verdict = h.Verdict?.ToString() ?? NeverAttested;
        string policy = h.PolicyName.Length == 0 ? "" : $"{E(h.PolicyName)}{(h.PolicyVersion is { } v ? $" v{v}" : "")}";
        if (h.JudgedByOther) policy += $" <span class=\"judged\">(judged by {E(h.JudgedBy)})</span>";
        w.Write($"<tr class=\"host\" id=\"{id}\" data-verdict=\"{verdict}\"><td class=\"name\">{E(h.HostName)}</td>");
        w.Write($"<td><span class=\"v {verdict}\">{(h.Verdict is null ? "Not attested" : verdict)}</span></td>");
        w.Write($"<td>{(h.LastAttested is { } t ? Time(t) : "")}</td><td>{policy}</td>");
        w.Write($"<td>{E(h.TpmManufacturer)}{(h.TpmModel.Length > 0 ? " " + E(h.TpmModel) : "")}</td><td class=\"reasons\">");
        if (h.Reasons.Count > 0) w.Write("<ul>" + string.Concat(h.Reasons.Select(r => $"<li>{E(r)}</li>")) + "</ul>");
        w.Write("</td></tr>\n");
        w.Write($"<tr class=\"detail\" id=\"{id}-detail\"><td colspan=\"6\"><details><summary>Details of {E(h.HostName)}</summary>");
        w.Write("<h3>History</h3><ol class=\"history\">");
        foreach (var entry in h.History)
            w.Write($"<li><span class=\"v {entry.Verdict}\">{entry.Verdict}</span> {Time(entry.Time)}{(entry.Policy.Length > 0 ? " by " + E(entry.Policy) : "")}{(entry.Reasons.Length > 0 ? " — " + E(entry.Reasons) : "")}</li>");
        w.Write("</ol>");
        if (h.PcrDifferences.Count > 0)
        {
            w.Write("<h3>PCR differences</h3><table class=\"pcr-diff\"><tr><th>PCR</th><th>Bank</th><th>Allowed</th><th>Quoted</th></tr>");
            foreach (var d in h.PcrDifferences)
                w.Write($"<tr><td>{d.Pcr}</td><td>{E(d.Bank)}</td><td class=\"mono\">{E(d.Expected)}</td><td class=\"mono\">{E(d.Actual)}</td></tr>");
            w.Write("</table>");
        }
        if (h.EventDifferences.Count > 0)
        {
            w.Write("<h3>What changed in the boot</h3><table class=\"event-diff\"><tr><th>Change</th><th>PCR</th><th>Component</th><th>Type</th>" +
                "<th>Old</th><th>New</th><th>Digests</th></tr>");
            foreach (var d in h.EventDifferences)
                w.Write($"<tr class=\"change {d.Change}\"><td>{d.Change}</td><td>{d.Pcr}</td><td>{E(EventLogDiff.Describe(d.Component))}" +
                    $"{(d.Name.Length > 0 ? ": " + E(d.Name) : "")}</td><td>{E(d.EventType)}</td><td class=\"text\">{E(d.OldDescription)}</td>" +
                    $"<td class=\"text\">{E(d.NewDescription)}</td><td class=\"mono\">{E(d.Bank)} {E(d.OldDigest)} → {E(d.NewDigest)}</td></tr>");
            w.Write("</table>");
        }
        w.Write("</details></td></tr>\n");
    }

    /// <summary>One row per host: HostName, Verdict, LastAttested, PolicyName, PolicyVersion, TpmManufacturer, TpmModel, Reasons, Changes, JudgedBy.</summary>
    public static void WriteCsv(FleetReport report, TextWriter w)
    {
        w.Write("HostName,Verdict,LastAttested,PolicyName,PolicyVersion,TpmManufacturer,TpmModel,Reasons,Changes,JudgedBy\r\n");
        foreach (var h in report.Hosts)
        {
            string[] cells =
            [
                h.HostName, h.Verdict?.ToString() ?? NeverAttested, h.LastAttested is { } t ? Time(t) : "", h.PolicyName,
                h.PolicyVersion?.ToString(CultureInfo.InvariantCulture) ?? "", h.TpmManufacturer, h.TpmModel,
                string.Join(" | ", h.Reasons), string.Join(" | ", h.EventDifferences.Select(d => d.Summary)), h.JudgedBy,
            ];
            w.Write(string.Join(",", cells.Select(Csv)) + "\r\n");
        }
    }

    /// <summary>A CSV cell: quoted, quotes doubled, and a leading = + - @ (a formula to a spreadsheet) made text.</summary>
    internal static string Csv(string text)
    {
        string clean = LogEvent.Clean(text).Replace("…", "...", StringComparison.Ordinal);
        if (clean.Length > 0 && clean[0] is '=' or '+' or '-' or '@' or '\uFFFD') clean = "'" + clean;
        return "\"" + clean.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>Text as HTML (element content or a double-quoted attribute): markup characters as entities, control
    /// characters and broken surrogates as U+FFFD.</summary>
    public static string E(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 16);
        for (var rest = text.AsSpan(); !rest.IsEmpty;)
        {
            var status = Rune.DecodeFromUtf16(rest, out var rune, out int used);
            if (status != System.Buffers.OperationStatus.Done || Rune.IsControl(rune) && rune.Value is not ('\n' or '\t'))
            {
                sb.Append('\uFFFD');
                rest = rest[Math.Max(1, used)..];
                continue;
            }
            switch (rune.Value)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '`': sb.Append("&#96;"); break;
                default: sb.Append(rest[..used]); break;
            }
            rest = rest[used..];
        }
        return sb.ToString();
    }

    private static string Time(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Color(AttestationVerdict v) => v switch
    {
        AttestationVerdict.Trusted => "#3a9d4f",
        AttestationVerdict.Untrusted => "#c93c3c",
        _ => "#d9a520",
    };
}
