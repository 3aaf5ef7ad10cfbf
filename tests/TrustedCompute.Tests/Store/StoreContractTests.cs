using TrustedCompute.Attestation;
using TrustedCompute.Store;
using Xunit;

namespace TrustedCompute.Tests.Store;

/// <summary>The one store test suite; each database runs it through a subclass that opens a fresh, empty store.</summary>
public abstract partial class StoreContractTests : IDisposable
{
    private readonly List<IAttestationStore> _opened = [];

    /// <summary>A connection string (for <see cref="AttestationStoreFactory.Open"/>) of a new, empty store.</summary>
    protected abstract string NewStoreConnectionString();

    /// <summary>Runs one SQL statement on the store's database behind its back (schema tests, tampering).</summary>
    protected abstract void ExecuteRaw(string connectionString, string sql);

    protected IAttestationStore Open(string connectionString)
    {
        var store = AttestationStoreFactory.Open(connectionString);
        _opened.Add(store);
        return store;
    }

    protected IAttestationStore NewStore() => Open(NewStoreConnectionString());

    public virtual void Dispose()
    {
        foreach (var store in _opened) store.Dispose();
        GC.SuppressFinalize(this);
    }

    internal static EnrolledHost Host(string name, string akName, string policy = "") => new()
    {
        Name = name,
        AttestationKeyName = akName,
        EndorsementKeyPublic = [1, 2, 3, 0, 255],
        EndorsementKeyName = "000b" + new string('e', 64),
        EndorsementKeyCertificate = [0x30, 0x82, 0, 0, 9],
        EndorsementKeyChain = [[0x30, 1], [0x30, 2, 3]],
        EndorsementKeyReasons = [new AttestationReason("ek.expired", ReasonSeverity.Indeterminate, "expired") { Expected = "a" }],
        TpmManufacturer = "IBM",
        TpmModel = "SW   TPM",
        TpmFirmwareVersion = "2.0.1",
        AttestationKeyPublic = [9, 8, 7],
        EnrolledAt = new DateTime(2026, 11, 30, 10, 0, 0, 123, DateTimeKind.Utc).AddTicks(4567),
        EnrolledBy = "admin@node1",
        PolicyName = policy,
        Tags = ["rack-1", "gpu", "ünïcode"],
    };

    internal static AttestationResult Result(string host, DateTime time, AttestationVerdict verdict = AttestationVerdict.Trusted,
        string message = "ok", uint reset = 1) => new()
    {
        HostName = host,
        ClaimedHostName = "claimed-" + host,
        AttestationKeyName = "000b" + new string('a', 64),
        Verdict = verdict,
        Reasons =
        [
            new AttestationReason("pcr.mismatch", ReasonSeverity.Failure, message)
                { Pcr = 7, Bank = "sha256", Expected = "00ff", Actual = "ff00" },
            new AttestationReason("tpm.reset", ReasonSeverity.Info, "rebooted"),
        ],
        Time = time,
        EvidenceDigest = new string('d', 64),
        Policy = "fleet v3",
        PolicyDigest = new string('e', 64),
        Clock = ulong.MaxValue - 5,
        ResetCount = reset,
        RestartCount = uint.MaxValue,
    };

    internal static readonly DateTime T0 = new(2026, 12, 1, 8, 0, 0, DateTimeKind.Utc);

    internal static void AssertSameResult(AttestationResult expected, AttestationResult actual)
    {
        Assert.Equal(expected.HostName, actual.HostName);
        Assert.Equal(expected.ClaimedHostName, actual.ClaimedHostName);
        Assert.Equal(expected.AttestationKeyName, actual.AttestationKeyName);
        Assert.Equal(expected.Verdict, actual.Verdict);
        Assert.Equal(expected.Reasons, actual.Reasons);
        Assert.Equal(expected.Time.ToUniversalTime().Ticks, actual.Time.Ticks);
        Assert.Equal(DateTimeKind.Utc, actual.Time.Kind);
        Assert.Equal(expected.EvidenceDigest, actual.EvidenceDigest);
        Assert.Equal(expected.Policy, actual.Policy);
        Assert.Equal(expected.PolicyDigest, actual.PolicyDigest);
        Assert.Equal(expected.Clock, actual.Clock);
        Assert.Equal(expected.ResetCount, actual.ResetCount);
        Assert.Equal(expected.RestartCount, actual.RestartCount);
    }

    private static void AssertSameHost(EnrolledHost expected, EnrolledHost? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.EndorsementKeyPublic, actual.EndorsementKeyPublic);
        Assert.Equal(expected.EndorsementKeyName, actual.EndorsementKeyName);
        Assert.Equal(expected.EndorsementKeyCertificate, actual.EndorsementKeyCertificate);
        Assert.Equal(expected.EndorsementKeyChain, actual.EndorsementKeyChain);
        Assert.Equal(expected.EndorsementKeyReasons, actual.EndorsementKeyReasons);
        Assert.Equal(expected.TpmManufacturer, actual.TpmManufacturer);
        Assert.Equal(expected.TpmModel, actual.TpmModel);
        Assert.Equal(expected.TpmFirmwareVersion, actual.TpmFirmwareVersion);
        Assert.Equal(expected.AttestationKeyPublic, actual.AttestationKeyPublic);
        Assert.Equal(expected.AttestationKeyName, actual.AttestationKeyName);
        Assert.Equal(expected.EnrolledAt.Ticks, actual.EnrolledAt.Ticks);
        Assert.Equal(expected.EnrolledBy, actual.EnrolledBy);
        Assert.Equal(expected.PolicyName, actual.PolicyName);
        Assert.Equal(expected.Tags, actual.Tags);
    }

    [SkippableFact]
    public void A_new_store_is_empty_and_at_the_current_schema()
    {
        var store = NewStore();
        Assert.Empty(store.GetHosts());
        Assert.Empty(store.GetResults(new ResultQuery()));
        Assert.Empty(store.GetLatestResults());
        Assert.Empty(store.GetPolicies());
        Assert.Null(store.GetHost("nobody"));
        Assert.Null(store.GetEvidence(new string('0', 64)));
    }

    [SkippableFact]
    public void Reopening_a_store_keeps_its_data_and_migrates_nothing_twice()
    {
        string cs = NewStoreConnectionString();
        Open(cs).AddHost(Host("web1", "ak1"));
        var again = Open(cs);
        Assert.Equal("web1", Assert.Single(again.GetHosts()).Name);
    }

    [SkippableFact]
    public void A_store_of_a_newer_schema_is_refused()
    {
        string cs = NewStoreConnectionString();
        Open(cs).Dispose();
        ExecuteRaw(cs, "UPDATE schema_version SET version = 99");
        var e = Assert.Throws<StoreException>(() => AttestationStoreFactory.Open(cs));
        Assert.Equal(StoreErrorKind.Schema, e.Kind);
        Assert.Contains("99", e.Message);
    }

    [SkippableFact]
    public void A_store_left_at_schema_one_is_migrated_to_the_current_version()
    {
        string cs = NewStoreConnectionString();
        Open(cs).Dispose();
        ExecuteRaw(cs, "DROP TABLE sweep_claims");
        ExecuteRaw(cs, "DROP TABLE sweeps");
        ExecuteRaw(cs, "DROP TABLE evidence");
        ExecuteRaw(cs, "DROP INDEX results_time");
        ExecuteRaw(cs, "UPDATE schema_version SET version = 1");
        var store = Open(cs);
        var evidence = Evidence("migrated");
        store.AddResult(WithDigest(Result("h", T0), evidence), evidence);
        Assert.NotNull(store.GetEvidence(evidence.Digest()));
    }

    [SkippableFact]
    public void A_result_stored_before_policies_were_recorded_reads_back_with_none()
    {
        string cs = NewStoreConnectionString();
        var store = Open(cs);
        store.AddResult(Result("h", T0));
        ExecuteRaw(cs, "UPDATE results SET detail = '{\"claimedHostName\":\"old\",\"reasons\":[]}'");
        var read = Assert.Single(store.GetResults(new ResultQuery()));
        Assert.Equal("old", read.ClaimedHostName);
        Assert.Equal("", read.Policy);
        Assert.Equal("", read.PolicyDigest);
    }

    [SkippableFact]
    public void Hosts_are_added_read_updated_and_removed()
    {
        var store = NewStore();
        var host = Host("Web1.example", "000bAK1", "baseline");
        store.AddHost(host);
        AssertSameHost(host, store.GetHost("web1.EXAMPLE"));
        AssertSameHost(host, store.GetHostByAttestationKey("000bak1"));

        var rekeyed = Host("web1.example", "000bAK2", "strict");
        store.UpdateHost(rekeyed);
        AssertSameHost(rekeyed, store.GetHost("Web1.example"));
        Assert.Null(store.GetHostByAttestationKey("000bAK1"));

        store.AddHost(Host("a-first", "ak-other"));
        Assert.Equal(["a-first", "web1.example"], store.GetHosts().Select(h => h.Name));
        Assert.True(store.RemoveHost("WEB1.example"));
        Assert.False(store.RemoveHost("web1.example"));
        Assert.Null(store.GetHost("web1.example"));
        Assert.Equal("a-first", Assert.Single(store.GetHosts()).Name);
    }

    [SkippableFact]
    public void A_host_with_empty_fields_round_trips()
    {
        var store = NewStore();
        var host = new EnrolledHost { Name = "bare", AttestationKeyName = "ak" };
        store.AddHost(host);
        AssertSameHost(host, store.GetHost("bare"));
    }

    [SkippableFact]
    public void A_second_host_of_the_same_name_or_attestation_key_is_a_conflict()
    {
        var store = NewStore();
        store.AddHost(Host("web1", "ak1"));
        Assert.Equal(StoreErrorKind.Conflict, Assert.Throws<StoreException>(() => store.AddHost(Host("WEB1", "ak2"))).Kind);
        Assert.Equal(StoreErrorKind.Conflict, Assert.Throws<StoreException>(() => store.AddHost(Host("web2", "AK1"))).Kind);
        store.AddHost(Host("web2", "ak2"));
        Assert.Equal(StoreErrorKind.Conflict, Assert.Throws<StoreException>(() => store.UpdateHost(Host("web2", "ak1"))).Kind);
        Assert.Equal(StoreErrorKind.NotFound, Assert.Throws<StoreException>(() => store.UpdateHost(Host("web3", "ak3"))).Kind);
        Assert.Equal("ak2", store.GetHost("web2")!.AttestationKeyName);
        Assert.Equal(2, store.GetHosts().Count);
    }

    [SkippableTheory]
    [InlineData("o'brien")]
    [InlineData("x'; DROP TABLE hosts; --")]
    [InlineData("\"; DELETE FROM results; --")]
    [InlineData("Ünïcødé-主机-🖥️")]
    [InlineData("back\\slash%_*?[]")]
    public void Hostile_host_names_are_stored_as_text(string name)
    {
        var store = NewStore();
        store.AddHost(Host(name, "ak-" + name));
        store.AddHost(Host("other", "ak-other"));
        store.AddResult(Result(name, T0));
        store.AddResult(Result("other", T0));
        Assert.Equal(name, store.GetHost(name)!.Name);
        Assert.Equal(name, store.GetHostByAttestationKey("ak-" + name)!.Name);
        Assert.Equal(name, Assert.Single(store.GetResults(new ResultQuery { HostName = name })).HostName);
        Assert.Equal(2, store.GetHosts().Count);
        Assert.Equal(2, store.GetResults(new ResultQuery()).Count);
        Assert.Equal(name, store.GetLatestResults([name])[name].HostName);
        Assert.Equal(name, store.AddPolicy(name, "yaml", "me").Name);
        Assert.Null(store.GetHost(name + "x"));
    }

    [SkippableFact]
    public void Names_and_texts_that_no_database_can_hold_are_refused_before_writing()
    {
        var store = NewStore();
        Assert.Equal(StoreErrorKind.Invalid, Assert.Throws<StoreException>(() => store.AddHost(Host("a\0b", "ak"))).Kind);
        Assert.Equal(StoreErrorKind.Invalid, Assert.Throws<StoreException>(() => store.AddHost(Host(" ", "ak"))).Kind);
        Assert.Equal(StoreErrorKind.Invalid, Assert.Throws<StoreException>(() => store.AddHost(Host("a", ""))).Kind);
        Assert.Equal(StoreErrorKind.Invalid, Assert.Throws<StoreException>(() => store.AddResult(Result("", T0))).Kind);
        Assert.Equal(StoreErrorKind.Invalid,
            Assert.Throws<StoreException>(() => store.AddResults([Result("ok", T0), Result("b\0", T0)])).Kind);
        Assert.Empty(store.GetHosts());
        Assert.Empty(store.GetResults(new ResultQuery()));
    }

    [SkippableFact]
    public void Every_field_of_a_result_round_trips_including_hostile_and_huge_texts()
    {
        var store = NewStore();
        string huge = string.Concat(Enumerable.Repeat("🔐 ünïcode \"quoted\" \\ \u0000 nul <tag> ", 40_000));
        var result = new AttestationResult
        {
            HostName = "host-1",
            ClaimedHostName = "evil\0name'; DROP TABLE results; --",
            AttestationKeyName = "000b0123",
            Verdict = AttestationVerdict.Unknown,
            Reasons =
            [
                new AttestationReason("eventlog.replay", ReasonSeverity.Indeterminate, huge) { Pcr = null, Bank = null },
                new AttestationReason("policy.pcr", ReasonSeverity.Failure, "") { Pcr = 0, Bank = "sha1", Expected = "", Actual = null },
                new AttestationReason("quote.signature", ReasonSeverity.Failure, "主机") { Pcr = 23, Expected = "x", Actual = "y" },
            ],
            Time = new DateTime(2026, 12, 1, 12, 34, 56, 789, DateTimeKind.Utc).AddTicks(1234),
            EvidenceDigest = "",
            Clock = 0,
            ResetCount = null,
            RestartCount = 0,
        };
        store.AddResult(result);
        var read = Assert.Single(store.GetResults(new ResultQuery()));
        AssertSameResult(result, read);
        Assert.Null(read.Reasons[0].Pcr);
        Assert.Equal(huge.Length, read.Reasons[0].Message.Length);

        var noQuote = new AttestationResult { HostName = "host-2", Verdict = AttestationVerdict.Untrusted, Reasons = [], Time = T0 };
        store.AddResult(noQuote);
        AssertSameResult(noQuote, store.GetResults(new ResultQuery { HostName = "host-2" }).Single());
    }

    [SkippableFact]
    public void Local_times_are_stored_as_utc()
    {
        var store = NewStore();
        var local = new DateTime(2026, 6, 1, 12, 0, 0, DateTimeKind.Local);
        store.AddResult(Result("h", local));
        var read = store.GetResults(new ResultQuery()).Single();
        Assert.Equal(local.ToUniversalTime(), read.Time);
        Assert.Equal(DateTimeKind.Utc, read.Time.Kind);
    }

    [SkippableFact]
    public void Results_come_newest_first_and_every_filter_narrows_them()
    {
        var store = NewStore();
        var batch = new List<AttestationResult>();
        for (int i = 0; i < 30; i++)
        {
            var verdict = (AttestationVerdict)(i % 3);
            batch.Add(Result(i % 2 == 0 ? "even" : "odd", T0.AddMinutes(i), verdict, $"m{i}", (uint)i));
        }
        // Recorded out of order: the order read is by time, not by insertion.
        store.AddResults(batch.OrderBy(r => r.ResetCount % 7).ThenBy(r => r.ResetCount).ToList());

        var all = store.GetResults(new ResultQuery());
        Assert.Equal(Enumerable.Range(0, 30).Reverse().Select(i => (uint?)i), all.Select(r => r.ResetCount));

        var even = store.GetResults(new ResultQuery { HostName = "EVEN" });
        Assert.Equal(Enumerable.Range(0, 30).Where(i => i % 2 == 0).Reverse().Select(i => (uint?)i), even.Select(r => r.ResetCount));

        var last3 = store.GetResults(new ResultQuery { HostName = "odd", Last = 3 });
        Assert.Equal(new uint?[] { 29, 27, 25 }, last3.Select(r => r.ResetCount));

        var since = store.GetResults(new ResultQuery { Since = T0.AddMinutes(25) });
        Assert.Equal(new uint?[] { 29, 28, 27, 26, 25 }, since.Select(r => r.ResetCount));

        var untrusted = store.GetResults(new ResultQuery { Verdict = AttestationVerdict.Untrusted });
        Assert.Equal(Enumerable.Range(0, 30).Where(i => i % 3 == 1).Reverse().Select(i => (uint?)i), untrusted.Select(r => r.ResetCount));

        var combined = store.GetResults(new ResultQuery
            { HostName = "even", Since = T0.AddMinutes(10), Verdict = AttestationVerdict.Trusted, Last = 2 });
        Assert.Equal(new uint?[] { 24, 18 }, combined.Select(r => r.ResetCount));

        Assert.Empty(store.GetResults(new ResultQuery { Last = 0 }));
        Assert.Empty(store.GetResults(new ResultQuery { HostName = "nobody" }));
        Assert.Equal(StoreErrorKind.Invalid, Assert.Throws<StoreException>(() => store.GetResults(new ResultQuery { Last = -1 })).Kind);
        foreach (var r in batch) AssertSameResult(r, all.Single(a => a.ResetCount == r.ResetCount));
    }

    [SkippableFact]
    public void Results_of_the_same_time_come_latest_recorded_first()
    {
        var store = NewStore();
        store.AddResult(Result("h", T0, message: "first"));
        store.AddResult(Result("h", T0, message: "second"));
        Assert.Equal(["second", "first"], store.GetResults(new ResultQuery()).Select(r => r.Reasons[0].Message));
        Assert.Equal("second", store.GetLatestResults(["h"])["h"].Reasons[0].Message);
    }

    [SkippableFact]
    public void Removing_a_host_keeps_its_history()
    {
        var store = NewStore();
        store.AddHost(Host("gone", "ak"));
        store.AddResult(Result("gone", T0));
        Assert.True(store.RemoveHost("gone"));
        Assert.Single(store.GetResults(new ResultQuery { HostName = "gone" }));
    }

    [SkippableFact]
    public void Latest_results_are_each_hosts_newest_for_a_thousand_names_at_once()
    {
        var store = NewStore();
        var batch = new List<AttestationResult>();
        for (int h = 0; h < 1000; h++)
            for (int i = 0; i < 3; i++) batch.Add(Result($"node{h:D4}", T0.AddSeconds(h * 10 + (i + 1) % 3), message: $"{h}/{i}"));
        store.AddResults(batch);

        var names = Enumerable.Range(0, 1000).Select(h => $"NODE{h:D4}").Append("absent").Append("node0001").ToList();
        var latest = store.GetLatestResults(names);
        Assert.Equal(1000, latest.Count);
        for (int h = 0; h < 1000; h++)
        {
            var r = latest[$"node{h:D4}"];
            Assert.Equal($"{h}/1", r.Reasons[0].Message);
            Assert.Same(r, latest[$"NODE{h:D4}"]);
        }
        Assert.False(latest.ContainsKey("absent"));
        Assert.Equal(1000, store.GetLatestResults().Count);
        Assert.Equal(2, store.GetLatestResults(["node0005", "node0999"]).Count);
        Assert.Empty(store.GetLatestResults([]));
    }

    [SkippableFact]
    public void Evidence_is_kept_only_when_given_and_under_its_digest()
    {
        var store = NewStore();
        var evidence = Evidence("web1");
        string digest = evidence.Digest();
        store.AddResult(WithDigest(Result("web1", T0), evidence), evidence);
        store.AddResult(WithDigest(Result("web1", T0.AddMinutes(1)), evidence), evidence);
        store.AddResult(Result("web2", T0));

        var kept = store.GetEvidence(digest.ToUpperInvariant());
        Assert.NotNull(kept);
        Assert.Equal(digest, kept.Digest());
        Assert.Equal(evidence.ToJson(), kept.ToJson());
        Assert.Null(store.GetEvidence(new string('d', 64)));
        Assert.Equal(3, store.GetResults(new ResultQuery()).Count);
    }

    [SkippableFact]
    public void Evidence_that_is_not_the_results_is_refused()
    {
        var store = NewStore();
        var other = Evidence("other");
        var e = Assert.Throws<StoreException>(() => store.AddResult(WithDigest(Result("web1", T0), Evidence("web1")), other));
        Assert.Equal(StoreErrorKind.Invalid, e.Kind);
        Assert.Empty(store.GetResults(new ResultQuery()));
        Assert.Null(store.GetEvidence(other.Digest()));
    }

    [SkippableFact]
    public void Tampered_stored_evidence_is_not_returned_as_genuine()
    {
        string cs = NewStoreConnectionString();
        var store = Open(cs);
        var evidence = Evidence("web1");
        store.AddResult(WithDigest(Result("web1", T0), evidence), evidence);
        string swapped = Evidence("attacker").ToJson().Replace("'", "''");
        ExecuteRaw(cs, $"UPDATE evidence SET json = '{swapped}'");
        Assert.Equal(StoreErrorKind.Invalid, Assert.Throws<StoreException>(() => store.GetEvidence(evidence.Digest())).Kind);
        ExecuteRaw(cs, "UPDATE evidence SET json = '{\"version\": 1, \"hostName\": '");
        Assert.Equal(StoreErrorKind.Invalid, Assert.Throws<StoreException>(() => store.GetEvidence(evidence.Digest())).Kind);
    }

    [SkippableFact]
    public void A_tampered_result_row_is_an_error_not_a_verdict()
    {
        string cs = NewStoreConnectionString();
        var store = Open(cs);
        store.AddResult(Result("web1", T0, AttestationVerdict.Untrusted));
        ExecuteRaw(cs, "UPDATE results SET verdict = '0'");
        Assert.Equal(StoreErrorKind.Schema, Assert.Throws<StoreException>(() => store.GetResults(new ResultQuery())).Kind);
        ExecuteRaw(cs, "UPDATE results SET verdict = 'Trusted', detail = '{\"claimedHostName\":\"x\",\"reasons\":null}'");
        Assert.Equal(StoreErrorKind.Schema, Assert.Throws<StoreException>(() => store.GetResults(new ResultQuery())).Kind);
    }

    [SkippableFact]
    public void Policies_are_versioned_per_name()
    {
        var store = NewStore();
        var v1 = store.AddPolicy("Baseline", "pcrs: {}", "alice", "first");
        var other = store.AddPolicy("strict", "x: 1", "bob");
        var v2 = store.AddPolicy("baseline", "pcrs: {7: ab}", "carol", "second 'quoted'");
        Assert.Equal((1, 1, 2), (v1.Version, other.Version, v2.Version));

        var newest = store.GetPolicy("BASELINE")!;
        Assert.Equal((2, "pcrs: {7: ab}", "carol", "second 'quoted'", "baseline"),
            (newest.Version, newest.Yaml, newest.CreatedBy, newest.Comment, newest.Name));
        Assert.Equal(v2.CreatedAt, newest.CreatedAt);
        Assert.Equal("first", store.GetPolicy("baseline", 1)!.Comment);
        Assert.Null(store.GetPolicy("baseline", 3));
        Assert.Null(store.GetPolicy("none"));
        Assert.Equal([1, 2], store.GetPolicies("baseline").Select(p => p.Version));
        Assert.Equal(["Baseline v1", "baseline v2", "strict v1"], store.GetPolicies().Select(p => p.ToString()));
    }

    [SkippableFact]
    public void Concurrent_policy_writers_never_get_the_same_version()
    {
        string cs = NewStoreConnectionString();
        Open(cs).Dispose();
        var versions = new System.Collections.Concurrent.ConcurrentBag<int>();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, writer =>
        {
            using var store = AttestationStoreFactory.Open(cs);
            for (int i = 0; i < 10; i++) versions.Add(store.AddPolicy("shared", $"w{writer}i{i}", $"writer{writer}").Version);
        });
        Assert.Equal(Enumerable.Range(1, 80), versions.Order());
        var stored = Open(cs).GetPolicies("shared");
        Assert.Equal(Enumerable.Range(1, 80), stored.Select(p => p.Version));
        Assert.Equal(80, stored.Select(p => p.Yaml).Distinct().Count());
    }

    [SkippableFact]
    public void Concurrent_writers_in_one_process_lose_no_result()
    {
        string cs = NewStoreConnectionString();
        Open(cs).Dispose();
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, writer =>
        {
            using var store = AttestationStoreFactory.Open(cs);
            for (int i = 0; i < 100; i++) store.AddResult(Result($"w{writer}", T0.AddSeconds(i), message: $"{i}"));
        });
        var all = Open(cs).GetResults(new ResultQuery());
        Assert.Equal(400, all.Count);
        for (int w = 0; w < 4; w++)
        {
            Assert.Equal(Enumerable.Range(0, 100).Select(i => $"{i}"),
                all.Where(r => r.HostName == $"w{w}").Select(r => r.Reasons[0].Message).Order().OrderBy(int.Parse));
        }
    }

    internal static AttestationEvidence Evidence(string host) => new()
    {
        HostName = host,
        CollectedAt = T0,
        Nonce = [1, 2, 3, 4],
        AttestationKeyPublic = [5, 6, 7],
        AttestationKeyName = [0, 0xb, 1],
        Quotes = [new EvidenceQuote { Bank = "sha256", Attest = [0xff, 0x54, 0x43, 0x47], Signature = [1, 1, 1] }],
        PcrValues = [new EvidencePcr { Bank = "sha256", Index = 7, Value = new byte[32] }],
        EventLog = [0, 1, 2],
    };

    internal static AttestationResult WithDigest(AttestationResult r, AttestationEvidence evidence) => new()
    {
        HostName = r.HostName, ClaimedHostName = r.ClaimedHostName, AttestationKeyName = r.AttestationKeyName, Verdict = r.Verdict,
        Reasons = r.Reasons, Time = r.Time, EvidenceDigest = evidence.Digest(), Clock = r.Clock, ResetCount = r.ResetCount,
        RestartCount = r.RestartCount,
    };
}
