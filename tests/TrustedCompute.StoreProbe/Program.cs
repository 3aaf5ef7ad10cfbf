using TrustedCompute.Attestation;
using TrustedCompute.Store;

// A writer process for the store's multi-process tests:
//   TrustedCompute.StoreProbe <connection-string> <host-name> <count>
// records <count> results for <host-name>, one transaction each, the i-th with the reason message "<i>", and prints
// "COMMITTED <i>" after each commit returned; "DONE" at the end.
if (args.Length != 3 || !int.TryParse(args[2], out int count) || count < 0)
{
    Console.Error.WriteLine("usage: TrustedCompute.StoreProbe <connection-string> <host-name> <count>");
    return 2;
}
using var store = AttestationStoreFactory.Open(args[0]);
var start = DateTime.UtcNow;
for (int i = 0; i < count; i++)
{
    store.AddResult(new AttestationResult
    {
        HostName = args[1],
        Verdict = AttestationVerdict.Trusted,
        Reasons = [new AttestationReason("probe.sequence", ReasonSeverity.Info, i.ToString(System.Globalization.CultureInfo.InvariantCulture))],
        Time = start.AddTicks(i),
        ResetCount = (uint)i,
    });
    Console.Out.WriteLine($"COMMITTED {i}");
}
Console.Out.WriteLine("DONE");
return 0;
