using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TrustedCompute.OpenStack;

/// <summary>One endpoint from the token's service catalog.</summary>
public sealed record CatalogEndpoint(string ServiceType, string ServiceName, string Interface, string? Region, Uri Url);

/// <summary>A service's answer: status, parsed JSON body (if any) and request id.</summary>
public sealed record OpenStackResponse(HttpStatusCode StatusCode, JsonElement? Body, string? RequestId);

/// <summary>
/// A Keystone v3 session: authenticates (password or application credential, project/domain/system scope), keeps
/// the token until shortly before it expires, finds service endpoints in the catalog, and sends service requests
/// with the token, re-authenticating once when a service answers 401. Response bodies are capped and parsed
/// defensively. Nothing secret is ever put into an exception or <see cref="ToString"/>.
/// </summary>
public sealed class OpenStackSession : IDisposable
{
    /// <summary>Largest response body accepted from any service.</summary>
    public const int MaxResponseBytes = 8 * 1024 * 1024;

    private static readonly TimeSpan ExpirySkew = TimeSpan.FromMinutes(1);
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _authLock = new(1, 1);
    private readonly TlsFailures _tls = new();
    private readonly Dictionary<string, ServiceVersions> _versions = new(StringComparer.OrdinalIgnoreCase);
    private string? _token;
    private int _authentications;

    public OpenStackSession(OpenStackCloud cloud, HttpMessageHandler? handler = null)
    {
        cloud.Validate();
        Cloud = cloud;
        _http = new HttpClient(handler ?? CreateHandler(cloud, _tls), disposeHandler: true) { Timeout = cloud.Timeout };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("TrustedCompute/" + typeof(OpenStackSession).Assembly.GetName().Version?.ToString(3));
        _http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
    }

    public OpenStackCloud Cloud { get; }

    /// <summary>
    /// Told about every HTTP call when set (method, URL, status, time, microversion, request id), from whatever
    /// thread made it. Never a header, a body, a token or a secret: query values of secret-looking names are redacted.
    /// </summary>
    public Action<string>? Trace { get; set; }

    /// <summary>How many tokens this session has obtained (1 after the first authentication).</summary>
    public int AuthenticationCount => Volatile.Read(ref _authentications);

    public DateTimeOffset? TokenExpiresAt { get; private set; }
    public string? UserId { get; private set; }
    public string? UserName { get; private set; }
    public string? ProjectId { get; private set; }
    public string? ProjectName { get; private set; }
    public string? DomainName { get; private set; }

    /// <summary>The domain of the token's project.</summary>
    public string? ProjectDomainName { get; private set; }

    /// <summary>System scope of the token (<c>all</c>), if it is system-scoped.</summary>
    public string? SystemScope { get; private set; }

    /// <summary>The application credential the token was issued for, if any (name, else id).</summary>
    public string? ApplicationCredential { get; private set; }

    /// <summary>
    /// What the token is scoped to, as Keystone issued it (an application credential carries its own project, whatever
    /// the settings say): "project admin in domain Default", "domain Default", "system all" or "unscoped".
    /// </summary>
    public string Scope => ProjectName is not null || ProjectId is not null
        ? $"project {ProjectName ?? ProjectId}" + (ProjectDomainName is null ? "" : $" in domain {ProjectDomainName}")
        : DomainName is not null ? "domain " + DomainName
        : SystemScope is not null ? "system " + SystemScope
        : "unscoped";
    public IReadOnlyList<string> Roles { get; private set; } = [];
    public IReadOnlyList<CatalogEndpoint> Catalog { get; private set; } = [];

    /// <summary>
    /// Builds the handler: TLS verification on, anchored on a private CA file when one is given. Redirects are not
    /// followed: HttpClient would resend the password body and the X-Auth-Token header to wherever they point.
    /// </summary>
    public static HttpMessageHandler CreateHandler(OpenStackCloud cloud) => CreateHandler(cloud, null);

    private static SocketsHttpHandler CreateHandler(OpenStackCloud cloud, TlsFailures? failures)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), UseProxy = true, AllowAutoRedirect = false };
        if (cloud.SkipCertificateCheck)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (!string.IsNullOrEmpty(cloud.CACertificatePath))
        {
            var anchors = new X509Certificate2Collection();
            anchors.ImportFromPemFile(cloud.CACertificatePath);
            if (anchors.Count == 0) throw new ArgumentException($"{cloud.CACertificatePath} holds no PEM certificate.");
            handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, _, errors) =>
            {
                if (certificate is null) return failures?.Refuse(sender, errors, null) ?? false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                bool trusted = chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
                // the name is checked by .NET either way; the chain is judged against our anchors only
                var mine = (errors & ~SslPolicyErrors.RemoteCertificateChainErrors)
                           | (trusted ? SslPolicyErrors.None : SslPolicyErrors.RemoteCertificateChainErrors);
                return mine == SslPolicyErrors.None || (failures?.Refuse(sender, mine, trusted ? null : chain) ?? false);
            };
        }
        else if (failures is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (sender, _, chain, errors) =>
                errors == SslPolicyErrors.None || failures.Refuse(sender, errors, chain);
        }
        return handler;
    }

    /// <summary>Gets a fresh token now (also used to re-authenticate).</summary>
    public async Task AuthenticateAsync(CancellationToken cancellationToken)
    {
        await _authLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try { await AuthenticateLockedAsync(cancellationToken).ConfigureAwait(false); }
        finally { _authLock.Release(); }
    }

    /// <summary>The current token, authenticating when there is none or it is about to expire.</summary>
    public async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        string? token = _token;
        if (token is not null && TokenExpiresAt > DateTimeOffset.UtcNow + ExpirySkew) return token;
        await _authLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is null || !(TokenExpiresAt > DateTimeOffset.UtcNow + ExpirySkew))
                await AuthenticateLockedAsync(cancellationToken).ConfigureAwait(false);
            return _token!;
        }
        finally { _authLock.Release(); }
    }

    /// <summary>Revokes the session's token at Keystone (best effort) and forgets it.</summary>
    public async Task RevokeAsync(CancellationToken cancellationToken)
    {
        string? token = _token;
        if (token is null) return;
        _token = null;
        TokenExpiresAt = null;
        using var request = new HttpRequestMessage(HttpMethod.Delete, Combine(IdentityUrl, "auth/tokens"));
        request.Headers.Add("X-Auth-Token", token);
        request.Headers.Add("X-Subject-Token", token);
        using var response = await TransmitAsync("identity", request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
            throw await ErrorAsync("identity", request, response, cancellationToken).ConfigureAwait(false);
    }

    private Uri IdentityUrl => Cloud.EndpointOverrides.TryGetValue("identity", out var u) ? u : Cloud.AuthUrl!;

    /// <summary>
    /// The endpoint of a service type for the session's interface and region: an endpoint override first, then the
    /// catalog. Throws when the catalog has none.
    /// </summary>
    public Uri GetEndpoint(string serviceType)
    {
        if (Cloud.EndpointOverrides.TryGetValue(serviceType, out var overridden)) return overridden;
        var candidates = Catalog.Where(e => string.Equals(e.ServiceType, serviceType, StringComparison.OrdinalIgnoreCase)
                                            && e.Interface == Cloud.Interface).ToList();
        if (Cloud.RegionName is { } region) candidates = candidates.Where(e => e.Region == region).ToList();
        return candidates.Count > 0 ? candidates[0].Url
            : throw new OpenStackException($"The service catalog has no {Cloud.Interface} '{serviceType}' endpoint" +
                                           (Cloud.RegionName is null ? "." : $" in region {Cloud.RegionName}."));
    }

    /// <summary>
    /// The microversions a service offers, from its version document (Nova: its endpoint; Placement: its root), read
    /// once per session. Version documents need no token.
    /// </summary>
    public async Task<ServiceVersions> GetServiceVersionsAsync(string serviceType, CancellationToken cancellationToken)
    {
        lock (_versions)
        {
            if (_versions.TryGetValue(serviceType, out var known)) return known;
        }
        if (_token is null) await GetTokenAsync(cancellationToken).ConfigureAwait(false);
        var endpoint = GetEndpoint(serviceType);
        var url = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using var response = await TransmitAsync(serviceType, request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.MultipleChoices)
            throw await ErrorAsync(serviceType, request, response, cancellationToken, "version discovery").ConfigureAwait(false);
        var versions = ServiceVersions.Read(serviceType, await ReadJsonAsync(serviceType, request, response, cancellationToken).ConfigureAwait(false));
        lock (_versions) _versions[serviceType] = versions;
        return versions;
    }

    /// <summary>
    /// Sends one request to a service (path relative to its endpoint). <paramref name="apiVersion"/> is the
    /// OpenStack-API-Version value ("placement 1.6"). Statuses in <paramref name="accept"/> besides 2xx are returned
    /// instead of thrown. A 401 re-authenticates once and retries.
    /// </summary>
    public Task<OpenStackResponse> SendAsync(string serviceType, HttpMethod method, string path, JsonNode? body,
        string? apiVersion, CancellationToken cancellationToken, params HttpStatusCode[] accept) =>
        SendAsync(serviceType, method, path, body, apiVersion, cancellationToken, "application/json", accept);

    /// <summary>As above, with the body's media type (Glance takes JSON patches as its own type).</summary>
    public async Task<OpenStackResponse> SendAsync(string serviceType, HttpMethod method, string path, JsonNode? body,
        string? apiVersion, CancellationToken cancellationToken, string contentType, params HttpStatusCode[] accept)
    {
        if (_token is null) await GetTokenAsync(cancellationToken).ConfigureAwait(false);
        Uri url = Combine(GetEndpoint(serviceType), path);
        for (int attempt = 0; ; attempt++)
        {
            string token = await GetTokenAsync(cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(method, url);
            request.Headers.Add("X-Auth-Token", token);
            if (apiVersion is not null)
            {
                request.Headers.Add("OpenStack-API-Version", apiVersion);
                if (serviceType == "compute") request.Headers.Add("X-OpenStack-Nova-API-Version", apiVersion.Split(' ')[^1]);
            }
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
            }
            using var response = await TransmitAsync(serviceType, request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                if (attempt == 0)
                {
                    await ReauthenticateAsync(token, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                var error = (OpenStackException)await ErrorAsync(serviceType, request, response, cancellationToken).ConfigureAwait(false);
                throw new OpenStackAuthenticationException(serviceType, method.Method, url.AbsolutePath, response.StatusCode,
                    error.ServiceMessage, error.RequestId);
            }
            if (!response.IsSuccessStatusCode && !accept.Contains(response.StatusCode))
                throw await ErrorAsync(serviceType, request, response, cancellationToken, apiVersion).ConfigureAwait(false);
            var json = await ReadJsonAsync(serviceType, request, response, cancellationToken).ConfigureAwait(false);
            return new OpenStackResponse(response.StatusCode, json, RequestIdOf(response));
        }
    }

    /// <summary>Sends; a dropped connection or a timeout becomes an OpenStackException naming the call.</summary>
    private async Task<HttpResponseMessage> TransmitAsync(string service, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            TraceCall(service, request, $"{(int)response.StatusCode} {response.StatusCode}", clock.Elapsed, RequestIdOf(response));
            return response;
        }
        catch (HttpRequestException ex)
        {
            string detail = ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message;
            if (ex.InnerException is System.Security.Authentication.AuthenticationException && _tls.Describe(request.RequestUri!) is { } tls)
                detail = tls;
            TraceCall(service, request, "failed", clock.Elapsed, null);
            throw new OpenStackException($"{service} {request.Method} {request.RequestUri?.AbsolutePath} failed: {detail}", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            TraceCall(service, request, "timed out", clock.Elapsed, null);
            throw new OpenStackException($"{service} {request.Method} {request.RequestUri?.AbsolutePath} timed out after {_http.Timeout.TotalSeconds:0} s.", ex);
        }
    }

    private void TraceCall(string service, HttpRequestMessage request, string outcome, TimeSpan elapsed, string? requestId)
    {
        if (Trace is not { } trace) return;
        string version = request.Headers.TryGetValues("OpenStack-API-Version", out var v) ? $" [{string.Join(",", v)}]" : "";
        trace($"{service} {request.Method} {Redact(request.RequestUri!)}{version} -> {outcome} in {elapsed.TotalMilliseconds:0} ms" +
              (requestId is null ? "" : $" ({requestId})"));
    }

    /// <summary>The URL without user info, and with the values of secret-looking query parameters replaced.</summary>
    internal static string Redact(Uri url)
    {
        string baseUrl = new UriBuilder(url) { UserName = "", Password = "", Query = "" }.Uri.AbsoluteUri;
        string query = url.Query.TrimStart('?');
        if (query.Length == 0) return baseUrl;
        var pairs = query.Split('&').Select(pair =>
        {
            string name = pair.Split('=', 2)[0];
            bool secret = SecretWords.Any(w => Uri.UnescapeDataString(name).Contains(w, StringComparison.OrdinalIgnoreCase));
            return secret && pair.Contains('=', StringComparison.Ordinal) ? name + "=***" : pair;
        });
        return baseUrl + "?" + string.Join('&', pairs);
    }

    private static readonly string[] SecretWords = ["password", "secret", "token", "key", "credential", "auth", "sig"];

    /// <summary>Re-authenticates unless another caller already replaced the token that was refused.</summary>
    private async Task ReauthenticateAsync(string refusedToken, CancellationToken cancellationToken)
    {
        await _authLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token == refusedToken || _token is null) await AuthenticateLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally { _authLock.Release(); }
    }

    private async Task AuthenticateLockedAsync(CancellationToken cancellationToken)
    {
        var (response, request) = await PostTokenAsync(AuthBody(scoped: true), cancellationToken).ConfigureAwait(false);
        using (request)
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var error = (OpenStackException)await ErrorAsync("identity", request, response, cancellationToken).ConfigureAwait(false);
                // a redirect is refused as it is (never followed: it would carry the password elsewhere)
                if ((int)response.StatusCode is < 300 or >= 400) await DiagnoseAsync(error, cancellationToken).ConfigureAwait(false);
                throw error;
            }
            string? token = response.Headers.TryGetValues("X-Subject-Token", out var values) ? values.FirstOrDefault() : null;
            if (string.IsNullOrEmpty(token))
            {
                await RequireKeystoneAsync(cancellationToken).ConfigureAwait(false);
                throw new OpenStackException("Keystone answered without an X-Subject-Token header.");
            }
            var json = await ReadJsonAsync("identity", request, response, cancellationToken).ConfigureAwait(false)
                ?? throw new OpenStackException("Keystone answered the token request without a body.");
            ReadToken(Json.Object(json, "token", "Keystone token response"));
            _token = token;
            Interlocked.Increment(ref _authentications);
        }
    }

    private async Task<(HttpResponseMessage Response, HttpRequestMessage Request)> PostTokenAsync(JsonObject body,
        CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Combine(IdentityUrl, "auth/tokens"))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        try
        {
            return (await TransmitAsync("identity", request, cancellationToken).ConfigureAwait(false), request);
        }
        catch
        {
            request.Dispose();
            throw;
        }
        finally
        {
            request.Content.Dispose(); // the body holds the secret: gone as soon as it is sent
        }
    }

    /// <summary>
    /// Turns a refused token request into the error that says what is wrong: the URL is not Keystone (its version
    /// document is not Keystone v3's), the credentials are refused, or they are fine and the scope is the problem
    /// (no such project, project in another domain, no role on it). Keystone itself answers all of these with the
    /// same 401, so the credentials are tried once without a scope and the user's projects are looked at.
    /// </summary>
    private async Task DiagnoseAsync(OpenStackException refused, CancellationToken cancellationToken)
    {
        await RequireKeystoneAsync(cancellationToken).ConfigureAwait(false);
        if (refused.StatusCode != HttpStatusCode.Unauthorized) return;
        var c = Cloud;
        string who = c.AuthType == OpenStackCloud.ApplicationCredentialAuth
            ? $"application credential {c.ApplicationCredentialId ?? c.ApplicationCredentialName}"
            : $"user {c.Username ?? c.UserId}" + (c.UserId is null ? $" in domain {c.UserDomainName ?? c.UserDomainId ?? c.DefaultDomain}" : "");
        string suffix = refused.RequestId is null ? "" : $" (request id {refused.RequestId})";
        string credentialsRefused = $"Keystone at {c.AuthUrl} refused the credentials of {who}: {refused.ServiceMessage ?? "401 Unauthorized"}" +
                                    suffix + (c.AuthType == OpenStackCloud.PasswordAuth ? " Check the password and the user's domain." : "");
        bool scoped = c.AuthType == OpenStackCloud.PasswordAuth
                      && (c.ProjectId ?? c.ProjectName ?? c.DomainId ?? c.DomainName ?? c.SystemScope) is not null;
        if (!scoped) throw new OpenStackAuthenticationException(credentialsRefused, refused);

        var (response, request) = await PostTokenAsync(AuthBody(scoped: false), cancellationToken).ConfigureAwait(false);
        string? unscoped;
        using (request)
        using (response)
        {
            unscoped = response.IsSuccessStatusCode && response.Headers.TryGetValues("X-Subject-Token", out var t) ? t.FirstOrDefault() : null;
        }
        if (unscoped is null) throw new OpenStackAuthenticationException(credentialsRefused, refused);
        string problem;
        try
        {
            problem = await DescribeScopeProblemAsync(unscoped, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await DeleteTokenQuietlyAsync(unscoped).ConfigureAwait(false);
        }
        throw new OpenStackScopeException($"Keystone accepted the credentials of {who} but refused the scope: {problem}{suffix}", refused);
    }

    private async Task<string> DescribeScopeProblemAsync(string unscopedToken, CancellationToken cancellationToken)
    {
        var c = Cloud;
        if (c.ProjectId is null && c.ProjectName is null)
            return c.SystemScope is not null ? $"the user has no role on the system scope '{c.SystemScope}'."
                : $"the user has no role on domain {c.DomainName ?? c.DomainId}, or there is no such domain.";
        string domain = c.ProjectDomainName ?? c.ProjectDomainId ?? c.DefaultDomain;
        string wanted = c.ProjectId is not null ? $"project id {c.ProjectId}" : $"project {c.ProjectName} in domain {domain}";
        var mine = await GetWithTokenAsync(unscopedToken, "auth/projects", cancellationToken).ConfigureAwait(false);
        var projects = mine is { } body && body.TryGetProperty("projects", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(p => (Id: Json.OptionalString(p, "id"), Name: Json.OptionalString(p, "name"),
                Domain: Json.OptionalString(p, "domain_id"))).ToList()
            : [];
        var sameName = projects.Where(p => c.ProjectName is not null && p.Name == c.ProjectName).ToList();
        if (sameName.Count > 0)
            return $"there is no {wanted} for this user, but it has a role on project {c.ProjectName} in domain id " +
                   $"{string.Join(", ", sameName.Select(p => p.Domain))}: wrong project domain (-ProjectDomainName, OS_PROJECT_DOMAIN_NAME).";
        // Whether the project exists only someone with rights on it can say: ask with a token on one of the
        // user's own projects (an admin role answers; a member gets 403 and the answer stays open).
        bool? exists = null;
        foreach (var own in projects.Where(p => p.Id is not null).Take(3))
        {
            exists = await ProjectExistsAsync(unscopedToken, own.Id!, domain, cancellationToken).ConfigureAwait(false);
            if (exists is not null) break;
        }
        string usable = projects.Count == 0 ? "none" : string.Join(", ", projects.Select(p => p.Name ?? p.Id));
        return exists switch
        {
            true => $"the user has no role on {wanted}. Projects it has a role on: {usable}.",
            false => $"{wanted} does not exist" + (c.ProjectName is null ? "." : $" (or domain {domain} does not).") +
                     $" Projects the user has a role on: {usable}.",
            null => $"{wanted} does not exist, or the user has no role on it (only an administrator can tell which). " +
                    $"Projects it has a role on: {usable}.",
        };
    }

    /// <summary>Looks the wanted project up with a token scoped to one of the user's projects; null when not allowed.</summary>
    private async Task<bool?> ProjectExistsAsync(string unscopedToken, string ownProjectId, string domain, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["auth"] = new JsonObject
            {
                ["identity"] = new JsonObject { ["methods"] = new JsonArray("token"), ["token"] = new JsonObject { ["id"] = unscopedToken } },
                ["scope"] = new JsonObject { ["project"] = new JsonObject { ["id"] = ownProjectId } },
            },
        };
        var (response, request) = await PostTokenAsync(body, cancellationToken).ConfigureAwait(false);
        string? scoped;
        using (request)
        using (response)
        {
            scoped = response.IsSuccessStatusCode && response.Headers.TryGetValues("X-Subject-Token", out var t) ? t.FirstOrDefault() : null;
        }
        if (scoped is null) return null;
        try
        {
            var c = Cloud;
            if (c.ProjectId is not null)
            {
                var byId = await GetWithTokenAsync(scoped, "projects/" + Uri.EscapeDataString(c.ProjectId), cancellationToken, true).ConfigureAwait(false);
                return byId is null ? null : byId.Value.ValueKind == JsonValueKind.Object && byId.Value.TryGetProperty("project", out _);
            }
            string domainFilter = c.ProjectDomainId is not null ? "&domain_id=" + Uri.EscapeDataString(c.ProjectDomainId) : "";
            var found = await GetWithTokenAsync(scoped, "projects?name=" + Uri.EscapeDataString(c.ProjectName!) + domainFilter,
                cancellationToken).ConfigureAwait(false);
            if (found is not { } list || !list.TryGetProperty("projects", out var projects) || projects.ValueKind != JsonValueKind.Array) return null;
            var domains = c.ProjectDomainId is not null ? null
                : await GetWithTokenAsync(scoped, "domains?name=" + Uri.EscapeDataString(domain), cancellationToken).ConfigureAwait(false);
            var domainIds = domains is { } d && d.TryGetProperty("domains", out var ds) && ds.ValueKind == JsonValueKind.Array
                ? ds.EnumerateArray().Select(x => Json.OptionalString(x, "id")).ToHashSet() : null;
            return projects.EnumerateArray().Any(p => domainIds is null || domainIds.Contains(Json.OptionalString(p, "domain_id"))
                                                      || Json.OptionalString(p, "domain_id") == domain);
        }
        finally
        {
            await DeleteTokenQuietlyAsync(scoped).ConfigureAwait(false);
        }
    }

    /// <summary>GET on Keystone with a given token; null on any refusal (these calls only sharpen a message).</summary>
    private async Task<JsonElement?> GetWithTokenAsync(string token, string path, CancellationToken cancellationToken, bool notFoundIsEmpty = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Combine(IdentityUrl, path));
        request.Headers.Add("X-Auth-Token", token);
        using var response = await TransmitAsync("identity", request, cancellationToken).ConfigureAwait(false);
        if (notFoundIsEmpty && response.StatusCode == HttpStatusCode.NotFound) return default(JsonElement);
        if (!response.IsSuccessStatusCode) return null;
        return await ReadJsonAsync("identity", request, response, cancellationToken).ConfigureAwait(false);
    }

    private async Task DeleteTokenQuietlyAsync(string token)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, Combine(IdentityUrl, "auth/tokens"));
            request.Headers.Add("X-Auth-Token", token);
            request.Headers.Add("X-Subject-Token", token);
            using var response = await TransmitAsync("identity", request, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OpenStackException)
        {
            // it expires on its own
        }
    }

    /// <summary>
    /// Checks that the auth URL is Keystone v3: its version document (no token needed) names an identity v3 media
    /// type or a v3 version id. Throws an OpenStackException saying what answered instead.
    /// </summary>
    private async Task RequireKeystoneAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(IdentityUrl.AbsoluteUri.TrimEnd('/') + "/"));
        using var response = await TransmitAsync("identity", request, cancellationToken).ConfigureAwait(false);
        JsonElement? document = null;
        try { document = await ReadJsonAsync("identity", request, response, cancellationToken).ConfigureAwait(false); }
        catch (OpenStackException) { }
        if (response.IsSuccessStatusCode && document is { ValueKind: JsonValueKind.Object } d && d.TryGetProperty("version", out var v)
            && v.ValueKind == JsonValueKind.Object
            && (Json.OptionalString(v, "id")?.StartsWith("v3", StringComparison.Ordinal) == true
                || v.TryGetProperty("media-types", out var media) && media.GetRawText().Contains("identity-v3", StringComparison.Ordinal)))
            return;
        string hint = response.Headers.WwwAuthenticate.FirstOrDefault(h => h.Scheme == "Keystone")?.Parameter is { } p
            ? $" It points to Keystone at {p.Replace("uri=", "", StringComparison.Ordinal).Trim('"')}." : "";
        throw new OpenStackException($"{Cloud.AuthUrl} is not a Keystone v3 endpoint: its version document " +
                                     $"(GET {request.RequestUri!.AbsolutePath}) answered {(int)response.StatusCode} {response.StatusCode}" +
                                     (document is null ? " without JSON" : " without a Keystone v3 version") + $".{hint} " +
                                     "Give the Keystone v3 URL (OS_AUTH_URL), such as https://keystone.example:5000/v3.");
    }

    private void ReadToken(JsonElement token)
    {
        const string what = "Keystone token";
        string expires = Json.String(token, "expires_at", what);
        TokenExpiresAt = DateTimeOffset.TryParse(expires, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var expiresAt)
            ? expiresAt : throw new OpenStackException($"Unexpected {what}: 'expires_at' is not a date and time.");
        var user = Json.Object(token, "user", what);
        UserId = Json.OptionalString(user, "id");
        UserName = Json.OptionalString(user, "name");
        (ProjectId, ProjectName, ProjectDomainName, DomainName, SystemScope, ApplicationCredential) = (null, null, null, null, null, null);
        if (token.TryGetProperty("project", out var project) && project.ValueKind == JsonValueKind.Object)
        {
            ProjectId = Json.OptionalString(project, "id");
            ProjectName = Json.OptionalString(project, "name");
            if (project.TryGetProperty("domain", out var projectDomain))
                ProjectDomainName = Json.OptionalString(projectDomain, "name") ?? Json.OptionalString(projectDomain, "id");
        }
        if (token.TryGetProperty("domain", out var domain) && domain.ValueKind == JsonValueKind.Object)
            DomainName = Json.OptionalString(domain, "name");
        if (token.TryGetProperty("system", out var system) && system.ValueKind == JsonValueKind.Object)
            SystemScope = system.EnumerateObject().FirstOrDefault(p => p.Value.ValueKind == JsonValueKind.True).Name;
        if (token.TryGetProperty("application_credential", out var credential))
            ApplicationCredential = Json.OptionalString(credential, "name") ?? Json.OptionalString(credential, "id");
        Roles = token.TryGetProperty("roles", out var roles) && roles.ValueKind == JsonValueKind.Array
            ? roles.EnumerateArray().Select(r => Json.OptionalString(r, "name")).OfType<string>().ToList() : [];
        var catalog = new List<CatalogEndpoint>();
        if (token.TryGetProperty("catalog", out var services) && services.ValueKind == JsonValueKind.Array)
        {
            foreach (var service in services.EnumerateArray())
            {
                string type = Json.String(service, "type", "catalog entry");
                string name = Json.OptionalString(service, "name") ?? type;
                foreach (var endpoint in Json.Array(service, "endpoints", "catalog entry").EnumerateArray())
                {
                    string url = Json.String(endpoint, "url", "catalog endpoint");
                    if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) continue;
                    catalog.Add(new CatalogEndpoint(type, name, Json.OptionalString(endpoint, "interface") ?? "public",
                        Json.OptionalString(endpoint, "region_id") ?? Json.OptionalString(endpoint, "region"), uri));
                }
            }
        }
        Catalog = catalog;
    }

    private JsonObject AuthBody(bool scoped)
    {
        var c = Cloud;
        JsonObject identity;
        JsonNode? scope = null;
        if (c.AuthType == OpenStackCloud.ApplicationCredentialAuth)
        {
            var credential = new JsonObject { ["secret"] = c.Secret };
            if (c.ApplicationCredentialId is not null) credential["id"] = c.ApplicationCredentialId;
            else
            {
                credential["name"] = c.ApplicationCredentialName;
                credential["user"] = UserReference(c);
            }
            identity = new JsonObject { ["methods"] = new JsonArray("application_credential"), ["application_credential"] = credential };
        }
        else
        {
            var user = UserReference(c);
            user["password"] = c.Secret;
            identity = new JsonObject { ["methods"] = new JsonArray("password"), ["password"] = new JsonObject { ["user"] = user } };
            if (c.ProjectId is not null) scope = new JsonObject { ["project"] = new JsonObject { ["id"] = c.ProjectId } };
            else if (c.ProjectName is not null)
                scope = new JsonObject { ["project"] = new JsonObject { ["name"] = c.ProjectName, ["domain"] = DomainReference(c.ProjectDomainId, c.ProjectDomainName, c.DefaultDomain) } };
            else if (c.DomainId is not null || c.DomainName is not null)
                scope = new JsonObject { ["domain"] = DomainReference(c.DomainId, c.DomainName, c.DefaultDomain) };
            else if (c.SystemScope is not null)
                scope = new JsonObject { ["system"] = new JsonObject { [c.SystemScope] = true } };
        }
        var auth = new JsonObject { ["identity"] = identity };
        if (scope is not null && scoped) auth["scope"] = scope;
        return new JsonObject { ["auth"] = auth };
    }

    private static JsonObject UserReference(OpenStackCloud c) => c.UserId is not null
        ? new JsonObject { ["id"] = c.UserId }
        : new JsonObject { ["name"] = c.Username, ["domain"] = DomainReference(c.UserDomainId, c.UserDomainName, c.DefaultDomain) };

    private static JsonObject DomainReference(string? id, string? name, string defaultDomain) =>
        id is not null ? new JsonObject { ["id"] = id }
        : name is not null ? new JsonObject { ["name"] = name }
        : new JsonObject { ["id"] = defaultDomain };

    internal static Uri Combine(Uri baseUrl, string path)
    {
        string root = baseUrl.AbsoluteUri.TrimEnd('/');
        return new Uri(root + "/" + path.TrimStart('/'));
    }

    private static string? RequestIdOf(HttpResponseMessage response)
    {
        foreach (var name in new[] { "x-openstack-request-id", "x-compute-request-id" })
            if (response.Headers.TryGetValues(name, out var values)) return values.FirstOrDefault();
        return null;
    }

    /// <summary>
    /// Reads the body, capped in size and in time (HttpClient's timeout stops at the headers); a body that breaks off
    /// or stalls is an OpenStackException naming the call.
    /// </summary>
    private async Task<byte[]> ReadCappedAsync(string service, HttpRequestMessage request, HttpResponseMessage response,
        CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxResponseBytes)
            throw new OpenStackException($"{service} sent a {response.Content.Headers.ContentLength}-byte response; the limit is {MaxResponseBytes}.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_http.Timeout != Timeout.InfiniteTimeSpan) timeout.CancelAfter(_http.Timeout);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, timeout.Token).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxResponseBytes)
                    throw new OpenStackException($"{service} sent a response larger than the {MaxResponseBytes}-byte limit.");
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OpenStackException($"{service} {request.Method} {request.RequestUri?.AbsolutePath} timed out reading the response after {_http.Timeout.TotalSeconds:0} s.", ex);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new OpenStackException($"{service} {request.Method} {request.RequestUri?.AbsolutePath} failed reading the response: {ex.Message}", ex);
        }
    }

    private async Task<JsonElement?> ReadJsonAsync(string service, HttpRequestMessage request, HttpResponseMessage response,
        CancellationToken cancellationToken)
    {
        byte[] bytes = await ReadCappedAsync(service, request, response, cancellationToken).ConfigureAwait(false);
        if (bytes.Length == 0 || response.StatusCode == HttpStatusCode.NoContent) return null;
        try
        {
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
            return doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new OpenStackException($"{service} {request.Method} {request.RequestUri?.AbsolutePath} returned malformed JSON " +
                                         $"({(int)response.StatusCode}, {bytes.Length} bytes): {ex.Message}" +
                                         (RequestIdOf(response) is { } id ? $" (request id {id})" : ""), ex);
        }
    }

    /// <summary>An exception for a failed response, with the service's own error text (placement, nova or keystone shape).</summary>
    private async Task<Exception> ErrorAsync(string service, HttpRequestMessage request, HttpResponseMessage response,
        CancellationToken cancellationToken, string? apiVersion = null)
    {
        string? text = null, code = null;
        try
        {
            byte[] bytes = await ReadCappedAsync(service, request, response, cancellationToken).ConfigureAwait(false);
            (text, code) = ErrorText(bytes);
        }
        catch (OpenStackException ex) when (ex.InnerException is null) { text = "(oversized error body)"; }
        catch (OpenStackException ex) { text = "(error body unreadable: " + ex.InnerException!.Message + ")"; }
        return new OpenStackException(service, request.Method.Method, request.RequestUri?.AbsolutePath ?? "", response.StatusCode,
            text, RequestIdOf(response), code, apiVersion);
    }

    internal static (string? Text, string? Code) ErrorText(byte[] bytes)
    {
        if (bytes.Length == 0) return (null, null);
        try
        {
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null);
            // placement: {"errors":[{"detail":..,"code":..}]}
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var first = errors[0];
                return (Tidy(Json.OptionalString(first, "detail") ?? Json.OptionalString(first, "title")), Json.OptionalString(first, "code"));
            }
            // keystone {"error":{"message":..}}, nova {"badRequest":{"message":..}}
            foreach (var property in root.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.Object && Json.OptionalString(property.Value, "message") is { } message)
                    return (Tidy(message), null);
            }
            return (null, null);
        }
        catch (JsonException)
        {
            string raw = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 300));
            return (Tidy(raw.Contains('<') ? null : raw), null);
        }
    }

    private static string? Tidy(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        // placement prefixes details with a generic sentence and blank lines
        string t = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        foreach (var generic in new[] { "The server could not comply with the request since it is either malformed or otherwise incorrect. ",
                                        "There was a conflict when trying to complete your request. " })
            if (t.StartsWith(generic, StringComparison.Ordinal) && t.Length > generic.Length) t = t[generic.Length..];
        return t.Length > 500 ? t[..500] + "…" : t;
    }

    /// <summary>The settings before authentication; after it, who the token is for and its real scope.</summary>
    /// <summary>
    /// The last certificate refused per host, told apart: a name that does not match, a chain that does not end at a
    /// trusted anchor, or both.
    /// </summary>
    private sealed class TlsFailures
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _byHost = new(StringComparer.OrdinalIgnoreCase);

        public string? Describe(Uri url) => _byHost.TryGetValue(url.IdnHost, out var text) ? text : null;

        public bool Refuse(object? sender, SslPolicyErrors errors, X509Chain? chain)
        {
            string host = sender is HttpRequestMessage { RequestUri: { } u } ? u.IdnHost : sender is SslStream s ? s.TargetHostName : "";
            var parts = new List<string>();
            if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) parts.Add("the server sent no certificate");
            if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
                parts.Add($"the certificate's name does not match the host name {host} (the name check failed)");
            if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
            {
                var statuses = chain?.ChainStatus.Select(c => c.Status.ToString()).Distinct().ToList() ?? [];
                parts.Add("the certificate chain does not end at a trusted CA (the chain check failed" +
                          (statuses.Count == 0 ? "" : ": " + string.Join(", ", statuses)) +
                          "); give the CA that issued it as -CACertificatePath (cacert in clouds.yaml, OS_CACERT)");
            }
            if (host.Length > 0) _byHost[host] = $"TLS certificate of {host} refused: {string.Join("; and ", parts)}.";
            return false;
        }
    }

    public override string ToString() => TokenExpiresAt is null ? $"OpenStack session {Cloud}"
        : $"OpenStack session {Cloud.AuthUrl} ({(ApplicationCredential is null ? UserName ?? UserId : "application credential " + ApplicationCredential)}" +
          $" on {Scope}{(Cloud.RegionName is null ? "" : ", " + Cloud.RegionName)})";

    public void Dispose()
    {
        _token = null;
        _http.Dispose();
        _authLock.Dispose();
    }
}
