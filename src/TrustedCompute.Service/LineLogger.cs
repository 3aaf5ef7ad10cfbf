namespace TrustedCompute.Service;

/// <summary>Log lines (time, level, category, message; no exception details) to a file or to standard error.</summary>
public sealed class LineLoggerProvider : ILoggerProvider
{
    private readonly TextWriter _writer;
    private readonly Lock _gate = new();

    public LineLoggerProvider(string? path)
    {
        if (path is null) { _writer = Console.Error; return; }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        _writer = new StreamWriter(stream) { AutoFlush = true };
    }

    public ILogger CreateLogger(string categoryName) => new LineLogger(this, categoryName);

    public void Dispose() { if (_writer != Console.Error) _writer.Dispose(); }

    private void Write(string line) { lock (_gate) _writer.WriteLine(line); }

    private sealed class LineLogger(LineLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            string type = exception is null ? "" : $" ({exception.GetType().Name})";
            provider.Write($"{DateTime.UtcNow:O} {logLevel} {category}: {formatter(state, null)}{type}");
        }
    }
}
