using TrustedCompute.Service;
using TrustedCompute.Store;

// trustedcompute-service [--port N] [--bind ADDR] [--certificate PEM|PFX [--certificate-key PEM]] [--allow-http]
//   [--max-age-seconds S] [--auth-secret-file F] [--log-path F]
// Environment: TRUSTEDCOMPUTE_STORE, TRUSTEDCOMPUTE_SERVICE_AUTH_SECRET, TRUSTEDCOMPUTE_SERVICE_CERTIFICATE_PASSWORD.
ServiceOptions options;
try { options = ServiceOptions.Parse(args, Environment.GetEnvironmentVariable); }
catch (ArgumentException e)
{
    Console.Error.WriteLine($"trustedcompute-service: {e.Message}");
    return 2;
}

using var logger = new LineLoggerProvider(options.LogPath);
var log = logger.CreateLogger("TrustedCompute.Service");
IAttestationStore store;
try { store = AttestationStoreFactory.Open(options.StoreConnectionString); }
catch (StoreException e)
{
    log.LogError("The store cannot be opened: {Message}", e.Message);
    return 3;
}
using (store)
{
    WebApplication app;
    try { app = ServiceHost.Build(options, store, logger); }
    catch (ArgumentException e)
    {
        log.LogError("{Message}", e.Message);
        return 2;
    }
    if (options.AuthSecret is null) log.LogWarning("No auth secret is set: anyone who reaches the port can ask");
    await app.StartAsync();
    log.LogInformation("Listening on {Addresses} over {Store}", string.Join(", ", app.Urls), store.Location);
    await app.WaitForShutdownAsync();
    return 0;
}
