using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using BadHttpRequestException = Microsoft.AspNetCore.Http.BadHttpRequestException;
using TrustedCompute.Store;

namespace TrustedCompute.Service;

/// <summary>Builds the web application: Kestrel with TLS and limits, error answers without stack traces, the routes.</summary>
public static class ServiceHost
{
    public static WebApplication Build(ServiceOptions options, IAttestationStore store, ILoggerProvider? logger = null)
    {
        options.Validate();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "TrustedCompute.Service" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (logger is not null) builder.Logging.AddProvider(logger);
        builder.Services.AddRoutingCore();
        var certificate = options.UsesTls ? LoadCertificate(options) : null;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.MaxConcurrentConnections = 1000;
            kestrel.Listen(options.BindAddress, options.Port, listen =>
            {
                listen.Protocols = certificate is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
                if (certificate is not null) listen.UseHttps(certificate);
            });
        });

        var state = new ServiceState(options, new TrustReader(store, options.MaxAge));
        builder.Services.AddSingleton(state);
        var app = builder.Build();
        app.Use((context, next) => Guard(context, next, state, app.Logger));
        app.UseRouting();
        OpenAttestationApi.Map(app, state);
        JsonApi.Map(app, state);
        return app;
    }

    /// <summary>Every request: one answer, JSON errors, metrics by route pattern (never the raw path).</summary>
    private static async Task Guard(HttpContext context, Func<Task> next, ServiceState state, ILogger logger)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await next();
            if (context.Response.StatusCode >= 400 && !context.Response.HasStarted && context.Response.ContentLength is null)
                await WriteBareStatusAsync(context);
        }
        catch (RequestRejectedException e) when (!context.Response.HasStarted)
        {
            await JsonBodyResult.Error(e.Status, e.ErrorId, e.Message).ExecuteAsync(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await JsonBodyResult.Error(e.StatusCode, "request.bad", "The request could not be read").ExecuteAsync(context);
        }
        catch (StoreException e) when (!context.Response.HasStarted)
        {
            logger.LogError("Store error ({Kind}): {Message}", e.Kind, e.Message);
            int status = e.Kind == StoreErrorKind.Invalid ? 400 : 503;
            await JsonBodyResult.Error(status, "store." + e.Kind.ToString().ToLowerInvariant(),
                status == 400 ? "The store refused the query" : "The store cannot be read now").ExecuteAsync(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            logger.LogError("Unexpected {Type} answering {Method} {Route}", e.GetType().Name, context.Request.Method,
                RouteOf(context));
            await JsonBodyResult.Error(500, "service.internal", "The service could not answer").ExecuteAsync(context);
        }
        finally
        {
            state.Metrics.Record(RouteOf(context), context.Response.StatusCode, Stopwatch.GetElapsedTime(start));
        }
    }

    private static Task WriteBareStatusAsync(HttpContext context)
    {
        int status = context.Response.StatusCode;
        (string id, string message) = status switch
        {
            404 => ("request.not_found", "No such path"),
            405 => ("request.method", $"{context.Request.Method} is not allowed here"),
            _ => ("request.refused", "The request was refused"),
        };
        return JsonBodyResult.Error(status, id, message).ExecuteAsync(context);
    }

    private static string RouteOf(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint endpoint ? endpoint.RoutePattern.RawText ?? "unmatched" : "unmatched";

    /// <summary>A PFX (password from the environment) or a PEM certificate with its key (in the same file or beside it).</summary>
    public static X509Certificate2 LoadCertificate(ServiceOptions options)
    {
        string path = options.CertificatePath!;
        if (!File.Exists(path)) throw new ArgumentException($"The certificate file {path} does not exist");
        try
        {
            string extension = Path.GetExtension(path).ToLowerInvariant();
            if (extension is ".pfx" or ".p12")
            {
                var pfx = X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
                return pfx.HasPrivateKey ? pfx : throw new ArgumentException($"{path} holds no private key");
            }
            using var pem = X509Certificate2.CreateFromPemFile(path, options.CertificateKeyPath ?? path);
            // Kestrel on some platforms needs the key in a persisted form: round-trip through PKCS#12.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException)
        {
            throw new ArgumentException($"The certificate in {path} (or its key) could not be read");
        }
    }
}
