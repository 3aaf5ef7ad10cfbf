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
    private readonly Dictionary<string, ServiceVersions> _versions = new(StringComparer.OrdinalIgnoreCase);
    private string? _token;
    private int _authentications;

    public OpenStackSession(OpenStackCloud cloud, HttpMessageHandler? handler = null)
    {
        cloud.Validate();
        Cloud = cloud;
        _http = new HttpClient(handler ?? CreateHandler(cloud), disposeHandler: true) { Timeout = cloud.Timeout };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("TrustedCompute/" + typeof(OpenStackSession).Assembly.GetName().Version?.ToString(3));
        _http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
    }

    public OpenStackCloud Cloud { get; }

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
    public static HttpMessageHandler CreateHandler(OpenStackCloud cloud)
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
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)
                    || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
            };
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
    public async Task<OpenStackResponse> SendAsync(string serviceType, HttpMethod method, string path, JsonNode? body,
        string? apiVersion, CancellationToken cancellationToken, params HttpStatusCode[] accept)
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
            if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
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
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            string detail = ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message;
            throw new OpenStackException($"{service} {request.Method} {request.RequestUri?.AbsolutePath} failed: {detail}", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OpenStackException($"{service} {request.Method} {request.RequestUri?.AbsolutePath} timed out after {_http.Timeout.TotalSeconds:0} s.", ex);
        }
    }

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
        using var request = new HttpRequestMessage(HttpMethod.Post, Combine(IdentityUrl, "auth/tokens"))
        {
            Content = new StringContent(AuthBody().ToJsonString(), Encoding.UTF8, "application/json"),
        };
        HttpResponseMessage response;
        try
        {
            response = await TransmitAsync("identity", request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            request.Content.Dispose();
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                var error = (OpenStackException)await ErrorAsync("identity", request, response, cancellationToken).ConfigureAwait(false);
                throw new OpenStackAuthenticationException(
                    $"Keystone refused the credentials of {Cloud}: {error.ServiceMessage ?? "401 Unauthorized"}" +
                    (error.RequestId is null ? "" : $" (request id {error.RequestId})"));
            }
            if (!response.IsSuccessStatusCode) throw await ErrorAsync("identity", request, response, cancellationToken).ConfigureAwait(false);
            string? token = response.Headers.TryGetValues("X-Subject-Token", out var values) ? values.FirstOrDefault() : null;
            if (string.IsNullOrEmpty(token)) throw new OpenStackException("Keystone answered without an X-Subject-Token header.");
            var json = await ReadJsonAsync("identity", request, response, cancellationToken).ConfigureAwait(false)
                ?? throw new OpenStackException("Keystone answered the token request without a body.");
            ReadToken(Json.Object(json, "token", "Keystone token response"));
            _token = token;
            Interlocked.Increment(ref _authentications);
        }
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

    private JsonObject AuthBody()
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
        if (scope is not null) auth["scope"] = scope;
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
