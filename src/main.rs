fn main() -> std::process::ExitCode {
    // Like other command-line tools, end quietly when the reader of our output goes away
    // (`strata inspect | head`) instead of failing on every later write.
    #[cfg(unix)]
    // SAFETY: restoring the default action of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    #[cfg(unix)]
    close_inherited_descriptors_on_exec();
    strata::main_with_args(std::env::args_os())
}

/// Descriptors strata inherited without close-on-exec (a `flock` wrapper's lock, a CI runner's
/// pipe) are strata's for its lifetime, not its children's: the private cluster's server and
/// watchdog outlive strata and would hold them for as long as they run (a `flock`-held lock
/// stayed taken until the cluster's idle stop). Marks every descriptor above stderr
/// close-on-exec, before any child is started.
#[cfg(unix)]
fn close_inherited_descriptors_on_exec() {
    let fds: Vec<i32> = match std::fs::read_dir("/proc/self/fd") {
        Ok(dir) => dir
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .filter(|fd| *fd > 2)
            .collect(),
        // No /proc: the usual range.
        Err(_) => (3..1024).collect(),
    };
    for fd in fds {
        // SAFETY: fcntl on a descriptor number; a closed or invalid one just fails (EBADF).
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFD);
            if flags >= 0 && flags & libc::FD_CLOEXEC == 0 {
                libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC);
            }
        }
    }
}
