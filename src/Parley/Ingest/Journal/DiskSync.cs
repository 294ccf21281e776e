using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Parley.Ingest.Journal;

/// <summary>Flushes to the disk what the journal wrote. On Linux <c>fdatasync</c>: the data and what is needed to read
/// it back (the size, when the file grew), without the modification time that <c>fsync</c> (.NET's
/// <see cref="RandomAccess.FlushToDisk"/>) also writes; a recycled segment overwritten in place then costs a flush of
/// its data alone. A new file's name is durable once its folder is flushed too.</summary>
internal static class DiskSync
{
    public static void Data(SafeFileHandle file)
    {
        if (OperatingSystem.IsLinux())
        {
            if (fdatasync(file.DangerousGetHandle().ToInt32()) != 0)
                throw new IOException($"fdatasync failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        else RandomAccess.FlushToDisk(file);
    }

    /// <summary>Makes the names in <paramref name="folder"/> (a segment created, renamed or deleted) durable.</summary>
    public static void Folder(string folder)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = open(folder, 0 /* O_RDONLY */);
        if (fd < 0) throw new IOException($"Could not open {folder} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (fsync(fd) != 0) throw new IOException($"fsync of {folder} failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally { _ = close(fd); }
    }

    // DllImport rather than LibraryImport, whose generated code needs the project compiled with unsafe code; on Linux
    // a string is passed as UTF-8.
    [DllImport("libc", SetLastError = true)]
    private static extern int fdatasync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int open(string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
