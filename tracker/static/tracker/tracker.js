// A select marked data-autosubmit applies its choice at once (the dashboard's year).
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.submit();
  }
});
