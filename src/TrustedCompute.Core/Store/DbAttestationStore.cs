using System.Data.Common;
using TrustedCompute.Attestation;

namespace TrustedCompute.Store;

/// <summary>
/// The store over ADO.NET, shared by both databases: the same tables, parameterized SQL only, one connection and one
/// transaction per operation. A subclass supplies connections, the dialect's few differences and error wording.
/// </summary>
public abstract class DbAttestationStore : IAttestationStore
{
    private const int PolicyVersionAttempts = 50;
    private const string ResultColumns =
        "r.host_name, r.time_ticks, r.verdict, r.ak_name, r.evidence_digest, r.clock, r.reset_count, r.restart_count, r.detail";
    private const string HostColumns =
        "name, ek_public, ek_name, ek_certificate, ek_chain, ek_reasons, tpm_manufacturer, tpm_model, " +
        "tpm_firmware_version, ak_public, ak_name, enrolled_at, enrolled_by, policy_name, tags";

    private protected DbAttestationStore() { }

    public abstract string Location { get; }

    private protected abstract StoreDialect Dialect { get; }

    /// <summary>An open connection, its per-connection settings applied.</summary>
    private protected abstract DbConnection OpenConnection();

    /// <summary>A write transaction takes the database's write lock at once (SQLite: BEGIN IMMEDIATE).</summary>
    private protected abstract DbTransaction Begin(DbConnection connection, bool write);

    private protected abstract bool IsUniqueViolation(DbException exception);

    /// <summary>Serializes migrations between processes inside the migration transaction.</summary>
    private protected abstract void LockSchema(DbConnection connection, DbTransaction transaction);

    /// <summary>A subquery yielding column k for each element of the list parameter @keys.</summary>
    private protected abstract string KeyListSource { get; }

    private protected abstract object KeyListValue(IReadOnlyList<string> keys);

    /// <summary>The message of a database error, with any connection secret removed.</summary>
    private protected abstract string Describe(Exception exception);

    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <summary>Creates the schema, or brings it up to <see cref="StoreSchema.CurrentVersion"/>, one step per transaction.</summary>
    private protected void Migrate()
    {
        // Under the lock too: two servers' CREATE TABLE IF NOT EXISTS may otherwise collide in PostgreSQL's catalog.
        Run(true, (c, t) =>
        {
            LockSchema(c, t);
            Execute(c, t, StoreSchema.CreateVersionTable);
            return 0;
        });
        while (true)
        {
            bool done = Run(true, (c, t) =>
            {
                LockSchema(c, t);
                var versions = Query(c, t, "SELECT version FROM schema_version", null, r => r.GetInt64(0));
                if (versions.Count > 1) throw new StoreException(StoreErrorKind.Schema, $"{Location} has several schema versions");
                long version = versions.Count == 0 ? 0 : versions[0];
                if (version > StoreSchema.CurrentVersion)
                {
                    throw new StoreException(StoreErrorKind.Schema,
                        $"{Location} has schema version {version}; this version of TrustedCompute knows up to " +
                        $"{StoreSchema.CurrentVersion}. Use a newer TrustedCompute.");
                }
                if (version == StoreSchema.CurrentVersion) return true;
                if (version < 0) throw new StoreException(StoreErrorKind.Schema, $"{Location} has schema version {version}");
                int next = (int)version + 1;
                foreach (string sql in StoreSchema.Step(next, Dialect)) Execute(c, t, sql);
                Execute(c, t, versions.Count == 0
                        ? "INSERT INTO schema_version (version) VALUES (@v)"
                        : "UPDATE schema_version SET version = @v",
                    p => p("v", (long)next));
                return next == StoreSchema.CurrentVersion;
            });
            if (done) return;
        }
    }

    public void AddHost(EnrolledHost host)
    {
        CheckHost(host);
        Run(true, (c, t) =>
        {
            if (Exists(c, t, "SELECT 1 FROM hosts WHERE name_key = @k", Key(host.Name)))
                throw new StoreException(StoreErrorKind.Conflict, $"A host named '{host.Name}' is enrolled already");
            if (Exists(c, t, "SELECT 1 FROM hosts WHERE ak_key = @k", Key(host.AttestationKeyName)))
            {
                throw new StoreException(StoreErrorKind.Conflict,
                    $"Attestation key {host.AttestationKeyName} is enrolled already for another host");
            }
            Execute(c, t, $"""
                INSERT INTO hosts (name_key, ak_key, {HostColumns}) VALUES (@name_key, @ak_key, @name, @ek_public, @ek_name,
                @ek_certificate, @ek_chain, @ek_reasons, @tpm_manufacturer, @tpm_model, @tpm_firmware_version, @ak_public,
                @ak_name, @enrolled_at, @enrolled_by, @policy_name, @tags)
                """, p => HostParameters(p, host));
            return 0;
        }, $"'{host.Name}' or its attestation key is enrolled already");
    }

    public void UpdateHost(EnrolledHost host)
    {
        CheckHost(host);
        Run(true, (c, t) =>
        {
            int changed = Execute(c, t, """
                UPDATE hosts SET ak_key = @ak_key, name = @name, ek_public = @ek_public, ek_name = @ek_name,
                ek_certificate = @ek_certificate, ek_chain = @ek_chain, ek_reasons = @ek_reasons,
                tpm_manufacturer = @tpm_manufacturer, tpm_model = @tpm_model, tpm_firmware_version = @tpm_firmware_version,
                ak_public = @ak_public, ak_name = @ak_name, enrolled_at = @enrolled_at, enrolled_by = @enrolled_by,
                policy_name = @policy_name, tags = @tags
                WHERE name_key = @name_key
                """, p => HostParameters(p, host));
            if (changed == 0) throw new StoreException(StoreErrorKind.NotFound, $"No host named '{host.Name}' is enrolled");
            return 0;
        }, $"Attestation key {host.AttestationKeyName} is enrolled already for another host");
    }

    public bool RemoveHost(string name)
    {
        CheckName(name, "host name");
        return Run(true, (c, t) => Execute(c, t, "DELETE FROM hosts WHERE name_key = @k", p => p("k", Key(name))) > 0);
    }

    public EnrolledHost? GetHost(string name)
    {
        CheckName(name, "host name");
        return ReadHosts("WHERE name_key = @k", Key(name)).SingleOrDefault();
    }

    public EnrolledHost? GetHostByAttestationKey(string attestationKeyName)
    {
        CheckName(attestationKeyName, "attestation key name");
        return ReadHosts("WHERE ak_key = @k", Key(attestationKeyName)).SingleOrDefault();
    }

    public IReadOnlyList<EnrolledHost> GetHosts() => ReadHosts("ORDER BY name_key", null);

    public IReadOnlySet<string> GetEnrolledHostNames(IEnumerable<string> hostNames)
    {
        ArgumentNullException.ThrowIfNull(hostNames);
        var keys = new List<string>();
        foreach (string name in hostNames) { CheckName(name, "host name"); keys.Add(Key(name)); }
        var enrolled = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (keys.Count == 0) return enrolled;
        string sql = $"SELECT h.name FROM {KeyListSource} keys JOIN hosts h ON h.name_key = keys.k";
        var names = Run(false, (c, t) => Query(c, t, sql, p => p("keys", KeyListValue(keys.Distinct().ToList())), r => r.GetString(0)));
        enrolled.UnionWith(names);
        return enrolled;
    }

    public void AddResult(AttestationResult result, AttestationEvidence? evidence = null)
    {
        CheckResult(result);
        string? evidenceJson = null, digest = null;
        if (evidence is not null)
        {
            digest = evidence.Digest();
            if (result.EvidenceDigest.Length > 0 && !string.Equals(result.EvidenceDigest, digest, StringComparison.OrdinalIgnoreCase))
                throw new StoreException(StoreErrorKind.Invalid, "The evidence given is not the evidence the result judged");
            evidenceJson = evidence.ToJson();
        }
        Run(true, (c, t) =>
        {
            InsertResults(c, t, [result]);
            if (evidenceJson is not null)
            {
                Execute(c, t, """
                    INSERT INTO evidence (digest, json, stored_at) VALUES (@d, @j, @at) ON CONFLICT (digest) DO NOTHING
                    """, p => { p("d", digest); p("j", evidenceJson); p("at", DateTime.UtcNow.Ticks); });
            }
            return 0;
        });
    }

    public void AddResults(IReadOnlyList<AttestationResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        foreach (var r in results) CheckResult(r);
        if (results.Count == 0) return;
        Run(true, (c, t) => { InsertResults(c, t, results); return 0; });
    }

    private protected const string InsertResultSql = """
        INSERT INTO results (host_key, host_name, time_ticks, verdict, ak_name, evidence_digest, clock, reset_count,
        restart_count, detail) VALUES (@host_key, @host_name, @time_ticks, @verdict, @ak_name, @evidence_digest, @clock,
        @reset_count, @restart_count, @detail)
        """;

    /// <summary>Inserts result rows inside the caller's transaction; a dialect may batch them.</summary>
    private protected virtual void InsertResults(DbConnection connection, DbTransaction transaction,
        IReadOnlyList<AttestationResult> results)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = InsertResultSql;
        var parameters = new Dictionary<string, DbParameter>();
        foreach (var result in results)
        {
            ResultParameters((name, value) =>
            {
                if (!parameters.TryGetValue(name, out var parameter))
                {
                    parameter = command.CreateParameter();
                    parameter.ParameterName = name;
                    command.Parameters.Add(parameter);
                    parameters[name] = parameter;
                }
                parameter.Value = value ?? DBNull.Value;
            }, result);
            command.ExecuteNonQuery();
        }
    }

    private protected static void ResultParameters(Action<string, object?> p, AttestationResult result)
    {
        p("host_key", Key(result.HostName));
        p("host_name", result.HostName);
        p("time_ticks", Ticks(result.Time));
        p("verdict", result.Verdict.ToString());
        p("ak_name", result.AttestationKeyName);
        p("evidence_digest", result.EvidenceDigest);
        p("clock", result.Clock is { } clock ? unchecked((long)clock) : null);
        p("reset_count", result.ResetCount is { } reset ? (long)reset : null);
        p("restart_count", result.RestartCount is { } restart ? (long)restart : null);
        p("detail", StoreJson.Write(new StoreJson.ResultDetail(result.ClaimedHostName, result.Reasons, result.Policy, result.PolicyDigest)));
    }

    public IReadOnlyList<AttestationResult> GetResults(ResultQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Last is < 0) throw new StoreException(StoreErrorKind.Invalid, "Last must not be negative");
        if (query.Last == 0) return [];
        if (query.Verdict is { } v && !Enum.IsDefined(v)) throw new StoreException(StoreErrorKind.Invalid, $"Unknown verdict {v}");
        var where = new List<string>();
        if (query.HostName is not null) { CheckName(query.HostName, "host name"); where.Add("r.host_key = @host_key"); }
        if (query.Since is not null) where.Add("r.time_ticks >= @since");
        if (query.Verdict is not null) where.Add("r.verdict = @verdict");
        string sql = $"SELECT {ResultColumns} FROM results r" +
            (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") +
            " ORDER BY r.time_ticks DESC, r.id DESC" + (query.Last is not null ? " LIMIT @last" : "");
        return Run(false, (c, t) => Query(c, t, sql, p =>
        {
            if (query.HostName is not null) p("host_key", Key(query.HostName));
            if (query.Since is { } since) p("since", Ticks(since));
            if (query.Verdict is { } verdict) p("verdict", verdict.ToString());
            if (query.Last is { } last) p("last", (long)last);
        }, ReadResult));
    }

    public IReadOnlyDictionary<string, AttestationResult> GetLatestResults(IEnumerable<string>? hostNames = null)
    {
        List<string>? keys = null;
        if (hostNames is not null)
        {
            keys = [];
            foreach (string name in hostNames) { CheckName(name, "host name"); keys.Add(Key(name)); }
            keys = keys.Distinct().ToList();
            if (keys.Count == 0) return new Dictionary<string, AttestationResult>(StringComparer.OrdinalIgnoreCase);
        }
        string source = keys is null ? "(SELECT DISTINCT host_key AS k FROM results)" : KeyListSource;
        string sql = $"""
            SELECT {ResultColumns} FROM {source} keys JOIN results r ON r.id = (SELECT r2.id FROM results r2
            WHERE r2.host_key = keys.k ORDER BY r2.time_ticks DESC, r2.id DESC LIMIT 1)
            """;
        var results = Run(false, (c, t) => Query(c, t, sql, p =>
        {
            if (keys is not null) p("keys", KeyListValue(keys));
        }, ReadResult));
        var latest = new Dictionary<string, AttestationResult>(StringComparer.OrdinalIgnoreCase);
        foreach (var result in results) latest[result.HostName] = result;
        return latest;
    }

    public AttestationEvidence? GetEvidence(string evidenceDigest)
    {
        CheckName(evidenceDigest, "evidence digest");
        string? json = Run(false, (c, t) => Query(c, t, "SELECT json FROM evidence WHERE digest = @d",
            p => p("d", evidenceDigest.ToLowerInvariant()), r => r.GetString(0))).SingleOrDefault();
        if (json is null) return null;
        AttestationEvidence evidence;
        try { evidence = AttestationEvidence.FromJson(json); }
        catch (InvalidDataException e)
        {
            throw new StoreException(StoreErrorKind.Invalid,
                $"The evidence stored under {evidenceDigest} is not readable: {e.Message}", e);
        }
        if (!string.Equals(evidence.Digest(), evidenceDigest, StringComparison.OrdinalIgnoreCase))
            throw new StoreException(StoreErrorKind.Invalid, $"The evidence stored under {evidenceDigest} has another digest");
        return evidence;
    }

    public StoredPolicy AddPolicy(string name, string yaml, string createdBy, string comment = "")
    {
        CheckName(name, "policy name");
        CheckText(yaml, "policy YAML");
        CheckText(createdBy, "policy author");
        CheckText(comment, "policy comment");
        var createdAt = new DateTime(DateTime.UtcNow.Ticks, DateTimeKind.Utc);
        // Two writers may pick the same next version; the primary key refuses the second, which tries again.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                int version = Run(true, (c, t) => Query(c, t, """
                    INSERT INTO policies (name_key, name, version, yaml, created_at, created_by, comment)
                    SELECT @k, @name, COALESCE(MAX(version), 0) + 1, @yaml, @at, @by, @comment FROM policies WHERE name_key = @k
                    RETURNING version
                    """, p =>
                    {
                        p("k", Key(name)); p("name", name); p("yaml", yaml); p("at", createdAt.Ticks);
                        p("by", createdBy); p("comment", comment);
                    }, r => (int)r.GetInt64(0)).Single(), $"Other writers kept taking the next version of policy '{name}'");
                return new StoredPolicy
                {
                    Name = name, Version = version, Yaml = yaml, CreatedAt = createdAt, CreatedBy = createdBy, Comment = comment,
                };
            }
            catch (StoreException e) when (e.Kind == StoreErrorKind.Conflict && attempt < PolicyVersionAttempts)
            {
                Thread.Sleep(Random.Shared.Next(1, 5 * attempt));
            }
        }
    }

    public StoredPolicy? GetPolicy(string name, int? version = null)
    {
        CheckName(name, "policy name");
        string sql = "SELECT name, version, yaml, created_at, created_by, comment FROM policies WHERE name_key = @k" +
            (version is null ? " ORDER BY version DESC LIMIT 1" : " AND version = @v");
        return Run(false, (c, t) => Query(c, t, sql, p =>
        {
            p("k", Key(name));
            if (version is { } v) p("v", (long)v);
        }, ReadPolicy)).SingleOrDefault();
    }

    public IReadOnlyList<StoredPolicy> GetPolicies(string? name = null)
    {
        if (name is not null) CheckName(name, "policy name");
        string sql = "SELECT name, version, yaml, created_at, created_by, comment FROM policies" +
            (name is null ? "" : " WHERE name_key = @k") + " ORDER BY name_key, version";
        return Run(false, (c, t) => Query(c, t, sql, p => { if (name is not null) p("k", Key(name)); }, ReadPolicy));
    }

    private const string SweepColumns =
        "id, node, started_at, round_start, lease_ticks, finished_at, hosts, trusted, untrusted, unknown, elsewhere";

    /// <summary>Row locks that a concurrent claimer skips instead of waiting for (PostgreSQL); SQLite locks the file.</summary>
    private protected abstract string SkipLocked { get; }

    public SweepRecord StartSweep(string node, TimeSpan lease, bool exclusive)
    {
        CheckName(node, "node");
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), "The lease must be positive");
        string id = Guid.NewGuid().ToString("N");
        var (started, round) = Run(true, (c, t) =>
        {
            LockSchema(c, t); // one sweep joins a round at a time
            long now = DbNow(c, t);
            long round = now;
            if (!exclusive)
            {
                var live = Query(c, t, "SELECT MIN(round_start) FROM sweeps WHERE finished_at IS NULL AND " +
                    "heartbeat + 2 * lease_ticks > @now", p => p("now", now), r => r.IsDBNull(0) ? (long?)null : r.GetInt64(0));
                round = live.Count > 0 && live[0] is { } earliest ? earliest : now;
            }
            Execute(c, t, """
                INSERT INTO sweeps (id, node, started_at, round_start, heartbeat, lease_ticks, finished_at, hosts, trusted,
                    untrusted, unknown, elsewhere) VALUES (@id, @node, @now, @round, @now, @lease, NULL, 0, 0, 0, 0, 0)
                """, p => { p("id", id); p("node", node); p("now", now); p("round", round); p("lease", lease.Ticks); });
            return (now, round);
        });
        return new SweepRecord
        {
            Id = id, Node = node, StartedAt = FromTicks(started), RoundStart = FromTicks(round), Lease = lease, Exclusive = exclusive,
        };
    }

    public HostClaim ClaimHost(SweepRecord sweep, string hostName)
    {
        CheckName(hostName, "host name");
        string key = Key(hostName);
        return Run(true, (c, t) =>
        {
            long now = DbNow(c, t);
            Execute(c, t, "INSERT INTO sweep_claims (host_key, sweep_id, lease_until, handled_at) VALUES (@k, '', 0, 0) " +
                "ON CONFLICT (host_key) DO NOTHING", p => p("k", key));
            var rows = Query(c, t, $"SELECT sweep_id, lease_until, handled_at FROM sweep_claims WHERE host_key = @k {SkipLocked}",
                p => p("k", key), r => (Sweep: r.GetString(0), LeaseUntil: r.GetInt64(1), HandledAt: r.GetInt64(2)));
            Execute(c, t, "UPDATE sweeps SET heartbeat = @now WHERE id = @id", p => { p("now", now); p("id", sweep.Id); });
            if (rows.Count == 0) return HostClaim.Busy; // another node is claiming it this very moment
            var claim = rows[0];
            // A live claim holds, this sweep's own included; an exclusive sweep knows the others' to be dead.
            if (claim.LeaseUntil > now && (claim.Sweep == sweep.Id || !sweep.Exclusive)) return HostClaim.Busy;
            if (claim.HandledAt >= sweep.RoundStartTicks) return HostClaim.Done;
            Execute(c, t, "UPDATE sweep_claims SET sweep_id = @id, lease_until = @until WHERE host_key = @k",
                p => { p("id", sweep.Id); p("until", now + sweep.Lease.Ticks); p("k", key); });
            return HostClaim.Claimed;
        });
    }

    public void ReleaseHost(SweepRecord sweep, string hostName, bool handled)
    {
        CheckName(hostName, "host name");
        Run(true, (c, t) =>
        {
            long now = DbNow(c, t);
            // A claim another sweep took over (after this one's lease ran out) is theirs now.
            Execute(c, t, "UPDATE sweep_claims SET lease_until = 0, handled_at = CASE WHEN @handled = 1 THEN @now " +
                "ELSE handled_at END WHERE host_key = @k AND sweep_id = @id",
                p => { p("handled", handled ? 1 : 0); p("now", now); p("k", Key(hostName)); p("id", sweep.Id); });
            return Execute(c, t, "UPDATE sweeps SET heartbeat = @now WHERE id = @id", p => { p("now", now); p("id", sweep.Id); });
        });
    }

    public void FinishSweep(SweepRecord sweep, SweepTally tally) => Run(true, (c, t) =>
    {
        long now = DbNow(c, t);
        return Execute(c, t, """
            UPDATE sweeps SET finished_at = @now, heartbeat = @now, hosts = @hosts, trusted = @trusted,
                untrusted = @untrusted, unknown = @unknown, elsewhere = @elsewhere WHERE id = @id
            """, p =>
        {
            p("now", now); p("hosts", tally.Hosts); p("trusted", tally.Trusted); p("untrusted", tally.Untrusted);
            p("unknown", tally.Unknown); p("elsewhere", tally.Elsewhere); p("id", sweep.Id);
        });
    });

    public IReadOnlyList<SweepRecord> GetSweeps(int last)
    {
        if (last <= 0) throw new ArgumentOutOfRangeException(nameof(last), "Ask for at least one sweep");
        return Run(false, (c, t) => Query(c, t, $"SELECT {SweepColumns} FROM sweeps ORDER BY started_at DESC, id LIMIT @n",
            p => p("n", (long)last), r => new SweepRecord
            {
                Id = r.GetString(0), Node = r.GetString(1), StartedAt = FromTicks(r.GetInt64(2)),
                RoundStart = FromTicks(r.GetInt64(3)), Lease = TimeSpan.FromTicks(r.GetInt64(4)),
                FinishedAt = r.IsDBNull(5) ? null : FromTicks(r.GetInt64(5)), Hosts = (int)r.GetInt64(6),
                Trusted = (int)r.GetInt64(7), Untrusted = (int)r.GetInt64(8), Unknown = (int)r.GetInt64(9),
                Elsewhere = (int)r.GetInt64(10),
            }));
    }

    private long DbNow(DbConnection c, DbTransaction t) =>
        Query(c, t, $"SELECT {StoreSchema.Now(Dialect)}", null, r => r.GetInt64(0))[0];

    private static StoredPolicy ReadPolicy(DbDataReader r) => new()
    {
        Name = r.GetString(0),
        Version = (int)r.GetInt64(1),
        Yaml = r.GetString(2),
        CreatedAt = FromTicks(r.GetInt64(3)),
        CreatedBy = r.GetString(4),
        Comment = r.GetString(5),
    };

    private static AttestationResult ReadResult(DbDataReader r)
    {
        string hostName = r.GetString(0);
        string verdictText = r.GetString(2);
        if (!Enum.TryParse<AttestationVerdict>(verdictText, out var verdict) || !Enum.IsDefined(verdict) ||
            verdict.ToString() != verdictText)
        {
            throw new StoreException(StoreErrorKind.Schema, $"A stored result of '{hostName}' has an unknown verdict");
        }
        var detail = StoreJson.Read<StoreJson.ResultDetail>(r.GetString(8), $"result of '{hostName}'");
        if (detail.ClaimedHostName is null || detail.Reasons is null ||
            detail.Reasons.Any(x => x is null || x.Id is null || x.Message is null || !Enum.IsDefined(x.Severity)))
        {
            throw new StoreException(StoreErrorKind.Schema, $"A stored result of '{hostName}' is incomplete");
        }
        return new AttestationResult
        {
            HostName = hostName,
            Time = FromTicks(r.GetInt64(1)),
            Verdict = verdict,
            AttestationKeyName = r.GetString(3),
            EvidenceDigest = r.GetString(4),
            Clock = r.IsDBNull(5) ? null : unchecked((ulong)r.GetInt64(5)),
            ResetCount = r.IsDBNull(6) ? null : checked((uint)r.GetInt64(6)),
            RestartCount = r.IsDBNull(7) ? null : checked((uint)r.GetInt64(7)),
            ClaimedHostName = detail.ClaimedHostName,
            Reasons = detail.Reasons,
            Policy = detail.Policy ?? "",
            PolicyDigest = detail.PolicyDigest ?? "",
        };
    }

    private List<EnrolledHost> ReadHosts(string clause, string? key) =>
        Run(false, (c, t) => Query(c, t, $"SELECT {HostColumns} FROM hosts {clause}", p => { if (key is not null) p("k", key); }, r =>
        {
            string name = r.GetString(0);
            return new EnrolledHost
            {
                Name = name,
                EndorsementKeyPublic = (byte[])r.GetValue(1),
                EndorsementKeyName = r.GetString(2),
                EndorsementKeyCertificate = (byte[])r.GetValue(3),
                EndorsementKeyChain = StoreJson.Read<byte[][]>(r.GetString(4), $"EK chain of '{name}'"),
                EndorsementKeyReasons = StoreJson.ReadReasons(r.GetString(5), $"EK reasons of '{name}'"),
                TpmManufacturer = r.GetString(6),
                TpmModel = r.GetString(7),
                TpmFirmwareVersion = r.GetString(8),
                AttestationKeyPublic = (byte[])r.GetValue(9),
                AttestationKeyName = r.GetString(10),
                EnrolledAt = FromTicks(r.GetInt64(11)),
                EnrolledBy = r.GetString(12),
                PolicyName = r.GetString(13),
                Tags = StoreJson.Read<string[]>(r.GetString(14), $"tags of '{name}'"),
            };
        }));

    private static void HostParameters(Action<string, object?> p, EnrolledHost host)
    {
        p("name_key", Key(host.Name));
        p("ak_key", Key(host.AttestationKeyName));
        p("name", host.Name);
        p("ek_public", host.EndorsementKeyPublic);
        p("ek_name", host.EndorsementKeyName);
        p("ek_certificate", host.EndorsementKeyCertificate);
        p("ek_chain", StoreJson.Write(host.EndorsementKeyChain));
        p("ek_reasons", StoreJson.Write(host.EndorsementKeyReasons));
        p("tpm_manufacturer", host.TpmManufacturer);
        p("tpm_model", host.TpmModel);
        p("tpm_firmware_version", host.TpmFirmwareVersion);
        p("ak_public", host.AttestationKeyPublic);
        p("ak_name", host.AttestationKeyName);
        p("enrolled_at", Ticks(host.EnrolledAt));
        p("enrolled_by", host.EnrolledBy);
        p("policy_name", host.PolicyName);
        p("tags", StoreJson.Write(host.Tags));
    }

    private static void CheckHost(EnrolledHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        CheckName(host.Name, "host name");
        CheckName(host.AttestationKeyName, "attestation key name");
        foreach (var (text, what) in new[] { (host.EndorsementKeyName, "EK name"), (host.TpmManufacturer, "TPM manufacturer"),
            (host.TpmModel, "TPM model"), (host.TpmFirmwareVersion, "TPM firmware version"), (host.EnrolledBy, "enrolled by"),
            (host.PolicyName, "policy name") })
        {
            CheckText(text, what);
        }
        if (host.EndorsementKeyPublic is null || host.EndorsementKeyCertificate is null || host.AttestationKeyPublic is null ||
            host.EndorsementKeyChain is null || host.EndorsementKeyChain.Any(c => c is null) ||
            host.EndorsementKeyReasons is null || host.EndorsementKeyReasons.Any(r => r is null) ||
            host.Tags is null || host.Tags.Any(t => t is null))
        {
            throw new StoreException(StoreErrorKind.Invalid, $"The record of host '{host.Name}' has a null field");
        }
    }

    private static void CheckResult(AttestationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        CheckName(result.HostName, "host name");
        CheckText(result.AttestationKeyName, "attestation key name");
        CheckText(result.EvidenceDigest, "evidence digest");
        if (result.ClaimedHostName is null || result.Reasons is null ||
            result.Reasons.Any(r => r is null || r.Id is null || r.Message is null))
            throw new StoreException(StoreErrorKind.Invalid, $"The result of '{result.HostName}' has a null field");
        if (!Enum.IsDefined(result.Verdict))
            throw new StoreException(StoreErrorKind.Invalid, $"The result of '{result.HostName}' has an unknown verdict");
    }

    private static void CheckName(string? name, string what)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new StoreException(StoreErrorKind.Invalid, $"The {what} is empty");
        CheckText(name, what);
    }

    /// <summary>Text columns refuse NUL (PostgreSQL cannot store it); host-supplied texts go in JSON columns instead.</summary>
    private static void CheckText(string? text, string what)
    {
        if (text is null) throw new StoreException(StoreErrorKind.Invalid, $"The {what} is null");
        if (text.Contains('\0')) throw new StoreException(StoreErrorKind.Invalid, $"The {what} contains a NUL character");
    }

    /// <summary>Names compare without case on both databases: the unique and looked-up column holds this form.</summary>
    private protected static string Key(string name) => name.ToUpperInvariant();

    private static long Ticks(DateTime time) => (time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time).Ticks;

    private static DateTime FromTicks(long ticks)
    {
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
            throw new StoreException(StoreErrorKind.Schema, "A stored time is out of range");
        return new DateTime(ticks, DateTimeKind.Utc);
    }

    private static bool Exists(DbConnection c, DbTransaction t, string sql, string key) =>
        Query(c, t, sql, p => p("k", key), _ => true).Count > 0;

    private protected static int Execute(DbConnection connection, DbTransaction transaction, string sql,
        Action<Action<string, object?>>? parameters = null)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private static List<T> Query<T>(DbConnection connection, DbTransaction transaction, string sql,
        Action<Action<string, object?>>? parameters, Func<DbDataReader, T> read)
    {
        using var command = Command(connection, transaction, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql,
        Action<Action<string, object?>>? parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        parameters?.Invoke((name, value) =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        });
        return command;
    }

    /// <summary>
    /// One operation: its own connection and transaction, committed when <paramref name="work"/> returns. Database errors
    /// become <see cref="StoreException"/>: a unique-key refusal is a Conflict, anything else Unavailable.
    /// </summary>
    private protected T Run<T>(bool write, Func<DbConnection, DbTransaction, T> work, string? conflictMessage = null)
    {
        try
        {
            using var connection = OpenConnection();
            using var transaction = Begin(connection, write);
            T value = work(connection, transaction);
            transaction.Commit();
            return value;
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            throw new StoreException(StoreErrorKind.Conflict, conflictMessage ?? $"{Location}: {Describe(e)}");
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException or IOException)
        {
            throw new StoreException(StoreErrorKind.Unavailable, $"{Location}: {Describe(e)}", e);
        }
    }
}
