using TrustedCompute.Store;
using Xunit;

namespace TrustedCompute.Tests.Store;

/// <summary>Sweep records and host claims: what keeps several admin nodes from attesting one host twice in a round.</summary>
public abstract partial class StoreContractTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [SkippableFact]
    public void A_claimed_host_is_busy_for_another_sweep_and_done_for_it_once_released()
    {
        var store = NewStore();
        var a = store.StartSweep("node-a:1", Minute, exclusive: false);
        var b = store.StartSweep("node-b:2", Minute, exclusive: false);
        Assert.Equal(a.RoundStart, b.RoundStart); // b joined a's round
        Assert.Equal(HostClaim.Claimed, store.ClaimHost(a, "web1"));
        Assert.Equal(HostClaim.Busy, store.ClaimHost(b, "WEB1")); // names are case-insensitive
        store.ReleaseHost(a, "web1", handled: true);
        Assert.Equal(HostClaim.Done, store.ClaimHost(b, "web1"));
        Assert.Equal(HostClaim.Done, store.ClaimHost(a, "web1"));
    }

    [SkippableFact]
    public void A_host_given_back_unhandled_is_free_for_the_round()
    {
        var store = NewStore();
        var a = store.StartSweep("node-a:1", Minute, exclusive: false);
        var b = store.StartSweep("node-b:2", Minute, exclusive: false);
        Assert.Equal(HostClaim.Claimed, store.ClaimHost(a, "web1"));
        store.ReleaseHost(a, "web1", handled: false); // a was stopped
        Assert.Equal(HostClaim.Claimed, store.ClaimHost(b, "web1"));
    }

    [SkippableFact]
    public void A_sweep_that_starts_after_the_round_ended_attests_every_host_again()
    {
        var store = NewStore();
        var a = store.StartSweep("node-a:1", Minute, exclusive: false);
        Assert.Equal(HostClaim.Claimed, store.ClaimHost(a, "web1"));
        store.ReleaseHost(a, "web1", handled: true);
        store.FinishSweep(a, new SweepTally(1, 1, 0, 0, 0));
        Thread.Sleep(20);
        var next = store.StartSweep("node-b:2", Minute, exclusive: false);
        Assert.True(next.RoundStart > a.RoundStart);
        Assert.Equal(HostClaim.Claimed, store.ClaimHost(next, "web1"));
        var recorded = store.GetSweeps(5);
        Assert.Equal([next.Id, a.Id], recorded.Select(s => s.Id));
        Assert.NotNull(recorded[1].FinishedAt);
        Assert.Null(recorded[0].FinishedAt);
        Assert.Equal((1, 1, "node-a:1"), (recorded[1].Hosts, recorded[1].Trusted, recorded[1].Node));
    }

    [SkippableFact]
    public void A_dead_sweeps_host_is_taken_over_once_its_lease_runs_out_and_its_late_release_changes_nothing()
    {
        var store = NewStore();
        var dead = store.StartSweep("node-a:1", TimeSpan.FromMilliseconds(300), exclusive: false);
        var alive = store.StartSweep("node-b:2", Minute, exclusive: false);
        Assert.Equal(HostClaim.Claimed, store.ClaimHost(dead, "web1"));
        Assert.Equal(HostClaim.Busy, store.ClaimHost(alive, "web1"));
        Thread.Sleep(450);
        Assert.Equal(HostClaim.Claimed, store.ClaimHost(alive, "web1"));
        // the first sweep comes back and gives the host up: the claim is the second sweep's now
        store.ReleaseHost(dead, "web1", handled: true);
        var third = store.StartSweep("node-c:3", Minute, exclusive: false);
        Assert.Equal(HostClaim.Busy, store.ClaimHost(third, "web1"));
    }

    [SkippableFact]
    public void An_exclusive_sweep_joins_no_round_and_ignores_leases_of_sweeps_that_died()
    {
        var store = NewStore();
        var killed = store.StartSweep("node-a:1", Minute, exclusive: true);
        Assert.Equal(HostClaim.Claimed, store.ClaimHost(killed, "web1"));
        Assert.Equal(HostClaim.Claimed, store.ClaimHost(killed, "web2"));
        store.ReleaseHost(killed, "web2", handled: true);
        Thread.Sleep(20);
        var rerun = store.StartSweep("node-a:2", Minute, exclusive: true);
        Assert.True(rerun.RoundStart > killed.RoundStart);
        Assert.Equal(HostClaim.Claimed, store.ClaimHost(rerun, "web1"));
        Assert.Equal(HostClaim.Claimed, store.ClaimHost(rerun, "web2")); // attested by the killed sweep, but again now
    }

    [SkippableFact]
    public void Two_nodes_claiming_the_same_hosts_at_once_get_each_host_exactly_once()
    {
        string connection = NewStoreConnectionString();
        var store = Open(connection);
        var other = Open(connection);
        var hosts = Enumerable.Range(0, 60).Select(i => $"host{i:00}").ToList();
        var a = store.StartSweep("node-a:1", Minute, exclusive: false);
        var b = other.StartSweep("node-b:2", Minute, exclusive: false);
        var claimed = new System.Collections.Concurrent.ConcurrentBag<(string Sweep, string Host)>();
        void Claimer(IAttestationStore s, SweepRecord sweep, int seed)
        {
            var order = hosts.OrderBy(_ => new Random(seed).Next()).ToList();
            foreach (string h in order.Concat(order))
            {
                if (s.ClaimHost(sweep, h) == HostClaim.Claimed)
                {
                    claimed.Add((sweep.Id, h));
                    s.ReleaseHost(sweep, h, handled: true);
                }
            }
        }
        var workers = new[] { (store, a, 1), (other, b, 2), (store, a, 3), (other, b, 4) }
            .Select(w => Task.Run(() => Claimer(w.Item1, w.Item2, w.Item3))).ToArray();
        Task.WaitAll(workers);
        Assert.Equal(hosts, claimed.Select(c => c.Host).Order());
    }
}
