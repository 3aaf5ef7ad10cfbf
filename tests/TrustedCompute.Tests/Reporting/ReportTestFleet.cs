using System.Security.Cryptography;
using System.Text;
using TrustedCompute.Attestation;
using TrustedCompute.EventLog;
using TrustedCompute.Store;
using TrustedCompute.Tests.Env;
using TrustedCompute.Tpm;

namespace TrustedCompute.Tests.Reporting;

/// <summary>
/// A SQLite store holding a small fleet whose host names and command line carry HTML/script payloads: two Trusted
/// hosts, one Untrusted whose kept evidence shows a changed command line against the policy's reference log, one
/// Unknown, one never attested.
/// </summary>
internal sealed class ReportTestFleet : IDisposable
{
    public const string ScriptName = "<script>document.title='pwned';document.body.setAttribute('data-pwned','1')</script>";
    public const string AttributeName = "x\" onload=\"document.body.setAttribute('data-pwned','2')\" y=\"";
    public const string ImageName = "<img src=x onerror=\"document.body.setAttribute('data-pwned','3')\">";
    public const string CommandLinePayload = " <script>document.body.setAttribute('data-pwned','4')</script>\"onload=\"alert(1)";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tc-report-" + Guid.NewGuid().ToString("N")[..12]);

    public ReportTestFleet()
    {
        Directory.CreateDirectory(_dir);
        Store = AttestationStoreFactory.Open(Path.Combine(_dir, "store.db"));
        byte[] log = File.ReadAllBytes(TestPaths.Shared("eventlogs", "tpm2-tools", "event-gce-ubuntu-2104-log.bin"));
        var golden = Evidence(log);
        var policy = AttestationPolicy.FromEvidence(golden, ["sha256"], null, "fleet", keepReferenceLog: true);
        Store.AddPolicy("fleet", PolicyYaml.Serialize(policy), "tests");

        var editor = new LogEditor(log);
        int at = editor.Find(e => e.Pcr == 8 && Encoding.ASCII.GetString(e.Data).StartsWith("kernel_cmdline: ", StringComparison.Ordinal));
        string line = Encoding.ASCII.GetString(editor.Entries[at].Data).TrimEnd('\0');
        editor.SetData(at, Encoding.ASCII.GetBytes(line + CommandLinePayload + "\0"));
        var changed = Evidence(editor.ToArray());
        string goldenPcr8 = Hex(golden, 8), changedPcr8 = Hex(changed, 8);

        var day = new DateTime(2026, 11, 28, 9, 0, 0, DateTimeKind.Utc);
        Add("web-01", [AttestationVerdict.Trusted, AttestationVerdict.Trusted, AttestationVerdict.Trusted], day);
        Add(ScriptName, [AttestationVerdict.Trusted, AttestationVerdict.Trusted], day);
        Add(AttributeName, [AttestationVerdict.Trusted, AttestationVerdict.Untrusted], day, changed,
            new AttestationReason(ReasonIds.PolicyPcr, ReasonSeverity.Failure, "The PCR value is not one of the policy's allowed values")
            {
                Pcr = 8, Bank = "sha256", Expected = goldenPcr8, Actual = changedPcr8,
            });
        Add(ImageName, [AttestationVerdict.Unknown], day,
            reason: new AttestationReason(ReasonIds.QuoteFreshness, ReasonSeverity.Indeterminate, "No expected nonce: " + ImageName));
        Add("never-attested", [], day);
    }

    public IAttestationStore Store { get; }
    public string Directory_ => _dir;

    public string PathOf(string name) => Path.Combine(_dir, name);

    private void Add(string name, AttestationVerdict[] verdicts, DateTime start, AttestationEvidence? lastEvidence = null, AttestationReason? reason = null)
    {
        Store.AddHost(new EnrolledHost
        {
            Name = name, AttestationKeyName = Convert.ToHexString(RandomNumberGenerator.GetBytes(34)).ToLowerInvariant(),
            PolicyName = "fleet", TpmManufacturer = "IBM", TpmModel = "SW   TPM", EnrolledAt = start,
        });
        for (int i = 0; i < verdicts.Length; i++)
        {
            bool last = i == verdicts.Length - 1;
            var reasons = verdicts[i] == AttestationVerdict.Trusted || reason is null ? [] : new[] { reason };
            var result = new AttestationResult
            {
                HostName = name, Verdict = verdicts[i], Reasons = reasons, Time = start.AddDays(i),
                EvidenceDigest = last && lastEvidence is not null ? lastEvidence.Digest() : "",
            };
            Store.AddResult(result, last ? lastEvidence : null);
        }
    }

    private static AttestationEvidence Evidence(byte[] log) => new()
    {
        HostName = "gce", EventLog = log, CollectedAt = DateTime.UtcNow, Nonce = new byte[32], AttestationKeyPublic = [0, 0],
        // The report does not verify kept evidence (its result says what the verifier found); a quote must be there.
        Quotes = [new EvidenceQuote { Bank = "sha256", Attest = [0xFF, 0x54, 0x43, 0x47], Signature = [0, 0x14] }],
        PcrValues = TcgEventLog.Parse(log).Replay().Pcrs.Where(p => p.Algorithm == TpmAlgId.Sha256)
            .Select(p => new EvidencePcr { Bank = p.Bank, Index = p.Index, Value = p.Value }).ToArray(),
    };

    private static string Hex(AttestationEvidence e, int pcr) =>
        Convert.ToHexString(e.PcrValues.Single(p => p.Index == pcr).Value).ToLowerInvariant();

    public void Dispose()
    {
        Store.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
