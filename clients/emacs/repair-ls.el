;;; repair-ls.el --- Use the repair-ls language server with eglot -*- lexical-binding: t; -*-

;; Load this file from your init file (or paste it there):
;;
;;   (load "/path/to/repair-ls/clients/emacs/repair-ls.el")
;;
;; then run M-x eglot in a Python, JavaScript, TypeScript, Java, C, C++, Go or Rust buffer.  To run another
;; server binary, set `repair-ls-command' before loading this file, e.g.
;;
;;   (setq repair-ls-command '("node" "/path/to/repair-ls/dist/server/cli/main.js" "--stdio"))
;;
;; eglot runs ONE server per buffer: the entry below makes repair-ls that server for the listed modes, in place of
;; pylsp, clangd and the like.  To keep your usual server and use repair-ls only now and then, leave the
;; `add-to-list' form out and start it with C-u M-x eglot, answering "repair-ls --stdio".

;;; Code:

(require 'eglot)
(require 'jsonrpc)

(defgroup repair-ls nil
  "The repair-ls language server through eglot."
  :group 'eglot)

(defcustom repair-ls-command '("repair-ls" "--stdio")
  "Command line that starts the repair-ls server."
  :type '(repeat string))

(defconst repair-ls-major-modes
  '(python-mode python-ts-mode
    js-mode js-ts-mode js-jsx-mode
    typescript-mode typescript-ts-mode tsx-ts-mode
    java-mode java-ts-mode
    c-mode c-ts-mode c++-mode c++-ts-mode
    go-mode go-ts-mode
    rust-mode rust-ts-mode)
  "Major modes of the languages repair-ls repairs.")

;; :initializationOptions take the same keys as the "repairLs" settings section (server/config/schema.ts);
;; nested plists and dotted keys both work.
(add-to-list 'eglot-server-programs
             `(,repair-ls-major-modes
               . (,@repair-ls-command
                  :initializationOptions
                  (:repairLs (:engine "auto"
                              :ollama (:host "http://127.0.0.1:11434" :model "qwen2.5-coder:7b")
                              :test (:allowRun "ask"))))))

;; workspace/configuration answers come from `eglot-workspace-configuration' (per project via .dir-locals.el);
;; they override the initializationOptions above.
(setq-default eglot-workspace-configuration
              '(:repairLs (:ollama (:model "qwen2.5-coder:7b"))))

(defvar repair-ls-status nil
  "The server's last reported state.
One of idle, indexing, repairing or ollama-unavailable.")

;; The server's own notifications.  Without these methods eglot would warn about an unknown notification each time.
(cl-defmethod eglot-handle-notification (_server (_method (eql repair/status)) &key state message)
  "Remember the repair-ls STATE and show MESSAGE when Ollama cannot be reached."
  (unless (equal state repair-ls-status)
    (setq repair-ls-status state)
    (when (equal state "ollama-unavailable")
      (message "repair-ls: Ollama unavailable: %s" message))
    (force-mode-line-update t)))

(cl-defmethod eglot-handle-notification (_server (_method (eql repair/jobFinished)) &key kind status message
                                                 &allow-other-keys)
  "Report that a repair job of KIND ended with STATUS and MESSAGE."
  (message "repair-ls: %s %s: %s" kind status message))

(defun repair-ls--execute (command &optional arguments)
  "Run the server's COMMAND with ARGUMENTS (a vector) and return its result."
  (let ((server (eglot--current-server-or-lose)))
    (jsonrpc-request server :workspace/executeCommand
                     (if arguments
                         (list :command command :arguments arguments)
                       (list :command command)))))

(defun repair-ls-fix-all ()
  "Repair every failing test of the workspace; the repairs arrive as code actions."
  (interactive)
  (let ((result (repair-ls--execute "repair.fixAllFailing")))
    (message "repair-ls: fixing all failing tests (job %s)" (plist-get result :jobId))))

(defun repair-ls-fix-here (beg end)
  "Repair the region from BEG to END, or the current line."
  (interactive (if (use-region-p)
                   (list (region-beginning) (region-end))
                 (list (line-beginning-position) (line-end-position))))
  (let ((result (repair-ls--execute
                 "repair.fixHere"
                 (vector (list :uri (eglot--path-to-uri (buffer-file-name))
                               :range (list :start (eglot--pos-to-lsp-position beg)
                                            :end (eglot--pos-to-lsp-position end)))))))
    (message "repair-ls: repairing (job %s)" (plist-get result :jobId))))

(defun repair-ls-reindex ()
  "Rebuild the index of source lines used as repair context."
  (interactive)
  (repair-ls--execute "repair.reindex")
  (message "repair-ls: reindexing"))

(defun repair-ls-cancel ()
  "Cancel every running repair job."
  (interactive)
  (let ((result (repair-ls--execute "repair.cancel")))
    (message "repair-ls: cancelled %s job(s)" (plist-get result :cancelled))))

(provide 'repair-ls)
;;; repair-ls.el ends here
