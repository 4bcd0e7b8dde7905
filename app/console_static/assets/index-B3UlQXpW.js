(function(){const t=document.createElement("link").relList;if(t&&t.supports&&t.supports("modulepreload"))return;for(const s of document.querySelectorAll('link[rel="modulepreload"]'))i(s);new MutationObserver(s=>{for(const o of s)if(o.type==="childList")for(const a of o.addedNodes)a.tagName==="LINK"&&a.rel==="modulepreload"&&i(a)}).observe(document,{childList:!0,subtree:!0});function r(s){const o={};return s.integrity&&(o.integrity=s.integrity),s.referrerPolicy&&(o.referrerPolicy=s.referrerPolicy),s.crossOrigin==="use-credentials"?o.credentials="include":s.crossOrigin==="anonymous"?o.credentials="omit":o.credentials="same-origin",o}function i(s){if(s.ep)return;s.ep=!0;const o=r(s);fetch(s.href,o)}})();var oe,C,je,M,Ue,Ve,qe,pe,Z,q,Ge,Ce,me,ye,ze,te={},ne=[],ht=/acit|ex(?:s|g|n|p|$)|rph|grid|ows|mnc|ntw|ine[ch]|zoo|^ord|itera/i,le=Array.isArray;function O(e,t){for(var r in t)e[r]=t[r];return e}function Ae(e){e&&e.parentNode&&e.parentNode.removeChild(e)}function pt(e,t,r){var i,s,o,a={};for(o in t)o=="key"?i=t[o]:o=="ref"?s=t[o]:a[o]=t[o];if(arguments.length>2&&(a.children=arguments.length>3?oe.call(arguments,2):r),typeof e=="function"&&e.defaultProps!=null)for(o in e.defaultProps)a[o]===void 0&&(a[o]=e.defaultProps[o]);return J(e,a,i,s,null)}function J(e,t,r,i,s){var o={type:e,props:t,key:r,ref:i,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:s??++je,__i:-1,__u:0};return s==null&&C.vnode!=null&&C.vnode(o),o}function x(e){return e.children}function Q(e,t){this.props=e,this.context=t}function B(e,t){if(t==null)return e.__?B(e.__,e.__i+1):null;for(var r;t<e.__k.length;t++)if((r=e.__k[t])!=null&&r.__e!=null)return r.__e;return typeof e.type=="function"?B(e):null}function ft(e){if(e.__P&&e.__d){var t=e.__v,r=t.__e,i=[],s=[],o=O({},t);o.__v=t.__v+1,C.vnode&&C.vnode(o),Ie(e.__P,o,t,e.__n,e.__P.namespaceURI,32&t.__u?[r]:null,i,r??B(t),!!(32&t.__u),s),o.__v=t.__v,o.__.__k[o.__i]=o,Qe(i,o,s),t.__e=t.__=null,o.__e!=r&&Ye(o)}}function Ye(e){if((e=e.__)!=null&&e.__c!=null)return e.__e=e.__c.base=null,e.__k.some(function(t){if(t!=null&&t.__e!=null)return e.__e=e.__c.base=t.__e}),Ye(e)}function ge(e){(!e.__d&&(e.__d=!0)&&M.push(e)&&!re.__r++||Ue!=C.debounceRendering)&&((Ue=C.debounceRendering)||Ve)(re)}function re(){try{for(var e,t=1;M.length;)M.length>t&&M.sort(qe),e=M.shift(),t=M.length,ft(e)}finally{M.length=re.__r=0}}function Xe(e,t,r,i,s,o,a,d,u,l,p){var f,c,h,g,w,v,_=i&&i.__k||ne,y=t.length;for(u=_t(r,t,_,u,y),f=0;f<y;f++)(h=r.__k[f])!=null&&(c=h.__i!=-1&&_[h.__i]||te,h.__i=f,v=Ie(e,h,c,s,o,a,d,u,l,p),g=h.__e,h.ref&&c.ref!=h.ref&&(c.ref&&Ee(c.ref,null,h),p.push(h.ref,h.__c||g,h)),w==null&&g!=null&&(w=g),4&h.__u?(u=Ze(h,u,e),c.__e&&(c.__e=null)):typeof h.type=="function"&&v!==void 0?u=v:g&&(u=g.nextSibling),h.__u&=-7);return r.__e=w,u}function _t(e,t,r,i,s){var o,a,d,u,l,p=r.length,f=p,c=0;for(e.__k=new Array(s),o=0;o<s;o++)(a=t[o])!=null&&typeof a!="boolean"&&typeof a!="function"?(typeof a=="string"||typeof a=="number"||typeof a=="bigint"||a.constructor==String?a=e.__k[o]=J(null,a,null,null,null):le(a)?a=e.__k[o]=J(x,{children:a},null,null,null):a.constructor===void 0&&a.__b>0?a=e.__k[o]=J(a.type,a.props,a.key,a.ref?a.ref:null,a.__v):e.__k[o]=a,u=o+c,a.__=e,a.__b=e.__b+1,d=null,(l=a.__i=mt(a,r,u,f))!=-1&&(f--,(d=r[l])&&(d.__u|=2)),d==null||d.__v==null?(l==-1&&(s>p?c--:s<p&&c++),typeof a.type!="function"&&(a.__u|=4)):l!=u&&(l==u-1?c--:l==u+1?c++:(l>u?c--:c++,a.__u|=4))):e.__k[o]=null;if(f)for(o=0;o<p;o++)(d=r[o])!=null&&(2&d.__u)==0&&(d.__e==i&&(i=B(d)),tt(d,d));return i}function Ze(e,t,r){var i,s;if(typeof e.type=="function"){for(i=e.__k,s=0;i&&s<i.length;s++)i[s]&&(i[s].__=e,t=Ze(i[s],t,r));return t}e.__e!=t&&(t&&e.type&&!t.parentNode&&(t=B(e)),t=r.insertBefore(e.__e,t||null));do t=t&&t.nextSibling;while(t!=null&&t.nodeType==8);return t}function mt(e,t,r,i){var s,o,a,d=e.key,u=e.type,l=t[r],p=l!=null&&(2&l.__u)==0;if(l===null&&d==null||p&&d==l.key&&u==l.type)return r;if(i>(p?1:0)){for(s=r-1,o=r+1;s>=0||o<t.length;)if((l=t[a=s>=0?s--:o++])!=null&&(2&l.__u)==0&&d==l.key&&u==l.type)return a}return-1}function Se(e,t,r){t[0]=="-"?e.setProperty(t,r??""):e[t]=r==null?"":typeof r!="number"||ht.test(t)?r:r+"px"}function z(e,t,r,i,s){var o,a;e:if(t=="style")if(typeof r=="string")e.style.cssText=r;else{if(typeof i=="string"&&(e.style.cssText=i=""),i)for(t in i)r&&t in r||Se(e.style,t,"");if(r)for(t in r)i&&r[t]==i[t]||Se(e.style,t,r[t])}else if(t[0]=="o"&&t[1]=="n")o=t!=(t=t.replace(Ge,"$1")),a=t.toLowerCase(),t=a in e||t=="onFocusOut"||t=="onFocusIn"?a.slice(2):t.slice(2),e.l||(e.l={}),e.l[t+o]=r,r?i?r[q]=i[q]:(r[q]=Ce,e.addEventListener(t,o?ye:me,o)):e.removeEventListener(t,o?ye:me,o);else{if(s=="http://www.w3.org/2000/svg")t=t.replace(/xlink(H|:h)/,"h").replace(/sName$/,"s");else if(t!="width"&&t!="height"&&t!="href"&&t!="list"&&t!="form"&&t!="tabIndex"&&t!="download"&&t!="rowSpan"&&t!="colSpan"&&t!="role"&&t!="popover"&&t in e)try{e[t]=r??"";break e}catch{}typeof r=="function"||(r==null||r===!1&&t[4]!="-"?e.removeAttribute(t):e.setAttribute(t,t=="popover"&&r==1?"":r))}}function De(e){return function(t){if(this.l){var r=this.l[t.type+e];if(t[Z]==null)t[Z]=Ce++;else if(t[Z]<r[q])return;return r(C.event?C.event(t):t)}}}function Ie(e,t,r,i,s,o,a,d,u,l){var p,f,c,h,g,w,v,_,y,U,P,H,V,we,G,he,D=t.type;if(t.constructor!==void 0)return null;128&r.__u&&(u=!!(32&r.__u),o=[d=t.__e=r.__e]),(p=C.__b)&&p(t);e:if(typeof D=="function"){f=a.length;try{if(y=t.props,U=D.prototype&&D.prototype.render,P=(p=D.contextType)&&i[p.__c],H=p?P?P.props.value:p.__:i,r.__c?_=(c=t.__c=r.__c).__=c.__E:(U?t.__c=c=new D(y,H):(t.__c=c=new Q(y,H),c.constructor=D,c.render=gt),P&&P.sub(c),c.state||(c.state={}),c.__n=i,h=c.__d=!0,c.__h=[],c._sb=[]),U&&c.__s==null&&(c.__s=c.state),U&&D.getDerivedStateFromProps!=null&&(c.__s==c.state&&(c.__s=O({},c.__s)),O(c.__s,D.getDerivedStateFromProps(y,c.__s))),g=c.props,w=c.state,c.__v=t,h)U&&D.getDerivedStateFromProps==null&&c.componentWillMount!=null&&c.componentWillMount(),U&&c.componentDidMount!=null&&c.__h.push(c.componentDidMount);else{if(U&&D.getDerivedStateFromProps==null&&y!==g&&c.componentWillReceiveProps!=null&&c.componentWillReceiveProps(y,H),t.__v==r.__v||!c.__e&&c.shouldComponentUpdate!=null&&c.shouldComponentUpdate(y,c.__s,H)===!1){t.__v!=r.__v&&(c.props=y,c.state=c.__s,c.__d=!1),t.__e=r.__e,t.__k=r.__k,t.__k.some(function(W){W&&(W.__=t)}),ne.push.apply(c.__h,c._sb),c._sb=[],c.__h.length&&a.push(c),d=B(r);break e}c.componentWillUpdate!=null&&c.componentWillUpdate(y,c.__s,H),U&&c.componentDidUpdate!=null&&c.__h.push(function(){c.componentDidUpdate(g,w,v)})}if(c.context=H,c.props=y,c.__P=e,c.__e=!1,V=C.__r,we=0,U)c.state=c.__s,c.__d=!1,V&&V(t),p=c.render(c.props,c.state,c.context),ne.push.apply(c.__h,c._sb),c._sb=[];else do c.__d=!1,V&&V(t),p=c.render(c.props,c.state,c.context),c.state=c.__s;while(c.__d&&++we<25);c.state=c.__s,c.getChildContext!=null&&(i=O(O({},i),c.getChildContext())),U&&!h&&c.getSnapshotBeforeUpdate!=null&&(v=c.getSnapshotBeforeUpdate(g,w)),G=p!=null&&p.type===x&&p.key==null?et(p.props.children):p,d=Xe(e,le(G)?G:[G],t,r,i,s,o,a,d,u,l),c.base=t.__e,t.__u&=-161,c.__h.length&&a.push(c),_&&(c.__E=c.__=null)}catch(W){if(a.length=f,t.__v=null,u||o!=null){if(W.then){for(t.__u|=u?160:128;d&&d.nodeType==8&&d.nextSibling;)d=d.nextSibling;o!=null&&(o[o.indexOf(d)]=null),t.__e=d}else if(o!=null)for(he=o.length;he--;)Ae(o[he])}else t.__e=r.__e;t.__k==null&&(t.__k=r.__k||[]),W.then||Je(t),C.__e(W,t,r)}}else o==null&&t.__v==r.__v?(t.__k=r.__k,t.__e=r.__e):d=t.__e=yt(r.__e,t,r,i,s,o,a,u,l);return(p=C.diffed)&&p(t),128&t.__u?void 0:d}function Je(e){e&&(e.__c&&(e.__c.__e=!0),e.__k&&e.__k.some(Je))}function Qe(e,t,r){for(var i=0;i<r.length;i++)Ee(r[i],r[++i],r[++i]);C.__c&&C.__c(t,e),e.some(function(s){try{e=s.__h,s.__h=[],e.some(function(o){o.call(s)})}catch(o){C.__e(o,s.__v)}})}function et(e){return typeof e!="object"||e==null||e.__b>0?e:le(e)?e.map(et):e.constructor!==void 0?null:O({},e)}function yt(e,t,r,i,s,o,a,d,u){var l,p,f,c,h,g,w,v=r.props||te,_=t.props,y=t.type;if(y=="svg"?s="http://www.w3.org/2000/svg":y=="math"?s="http://www.w3.org/1998/Math/MathML":s||(s="http://www.w3.org/1999/xhtml"),o!=null){for(l=0;l<o.length;l++)if((h=o[l])&&"setAttribute"in h==!!y&&(y?h.localName==y:h.nodeType==3)){e=h,o[l]=null;break}}if(e==null){if(y==null)return document.createTextNode(_);e=document.createElementNS(s,y,_.is&&_),d&&(C.__m&&C.__m(t,o),d=!1),o=null}if(y==null)v===_||d&&e.data==_||(e.data=_);else{if(o=y=="textarea"&&_.defaultValue!=null?null:o&&oe.call(e.childNodes),!d&&o!=null)for(v={},l=0;l<e.attributes.length;l++)v[(h=e.attributes[l]).name]=h.value;for(l in v)h=v[l],l=="dangerouslySetInnerHTML"?f=h:l=="children"||l in _||l=="value"&&"defaultValue"in _||l=="checked"&&"defaultChecked"in _||z(e,l,null,h,s);for(l in _)h=_[l],l=="children"?c=h:l=="dangerouslySetInnerHTML"?p=h:l=="value"?g=h:l=="checked"?w=h:d&&typeof h!="function"||v[l]===h||z(e,l,h,v[l],s);if(p)d||f&&(p.__html==f.__html||p.__html==e.innerHTML)||(e.innerHTML=p.__html),t.__k=[];else if(f&&(e.innerHTML=""),Xe(t.type=="template"?e.content:e,le(c)?c:[c],t,r,i,y=="foreignObject"?"http://www.w3.org/1999/xhtml":s,o,a,o?o[0]:r.__k&&B(r,0),d,u),o!=null)for(l=o.length;l--;)Ae(o[l]);d&&y!="textarea"||(l="value",y=="progress"&&g==null?e.removeAttribute("value"):g!=null&&(g!==e[l]||y=="progress"&&!g||y=="option"&&g!=v[l])&&z(e,l,g,v[l],s),l="checked",w!=null&&w!=e[l]&&z(e,l,w,v[l],s))}return e}function Ee(e,t,r){try{if(typeof e=="function"){var i=typeof e.__u=="function";i&&e.__u(),i&&t==null||(e.__u=e(t))}else e.current=t}catch(s){C.__e(s,r)}}function tt(e,t,r){var i,s;if(C.unmount&&C.unmount(e),(i=e.ref)&&(i.current&&i.current!=e.__e||Ee(i,null,t)),(i=e.__c)!=null){if(i.componentWillUnmount)try{i.componentWillUnmount()}catch(o){C.__e(o,t)}i.base=i.__P=i.__n=null}if(i=e.__k)for(s=0;s<i.length;s++)i[s]&&tt(i[s],t,r||typeof e.type!="function");r||Ae(e.__e),e.__c=e.__=e.__e=void 0}function gt(e,t,r){return this.constructor(e,r)}function vt(e,t,r){var i,s,o,a;t==document&&(t=document.documentElement),C.__&&C.__(e,t),s=(i=!1)?null:t.__k,o=[],a=[],Ie(t,e=t.__k=pt(x,null,[e]),s||te,te,t.namespaceURI,s?null:t.firstChild?oe.call(t.childNodes):null,o,s?s.__e:t.firstChild,i,a),Qe(o,e,a),e.props.children=null}function bt(e){function t(r){var i,s;return this.getChildContext||(i=new Set,(s={})[t.__c]=this,this.getChildContext=function(){return s},this.componentWillUnmount=function(){i=null},this.shouldComponentUpdate=function(o){this.props.value!=o.value&&i.forEach(function(a){a.__e=!0,ge(a)})},this.sub=function(o){i.add(o);var a=o.componentWillUnmount;o.componentWillUnmount=function(){i&&i.delete(o),a&&a.call(o)}}),r.children}return t.__c="__cC"+ze++,t.__=e,t.Provider=t.__l=(t.Consumer=function(r,i){return r.children(i)}).contextType=t,t}oe=ne.slice,C={__e:function(e,t,r,i){for(var s,o,a;t=t.__;)if((s=t.__c)&&!s.__)try{if((o=s.constructor)&&o.getDerivedStateFromError!=null&&(s.setState(o.getDerivedStateFromError(e)),a=s.__d),s.componentDidCatch!=null&&(s.componentDidCatch(e,i||{}),a=s.__d),a)return s.__E=s}catch(d){e=d}throw e}},je=0,Q.prototype.setState=function(e,t){var r;r=this.__s!=null&&this.__s!=this.state?this.__s:this.__s=O({},this.state),typeof e=="function"&&(e=e(O({},r),this.props)),e&&O(r,e),e!=null&&this.__v&&(t&&this._sb.push(t),ge(this))},Q.prototype.forceUpdate=function(e){this.__v&&(this.__e=!0,e&&this.__h.push(e),ge(this))},Q.prototype.render=x,M=[],Ve=typeof Promise=="function"?Promise.prototype.then.bind(Promise.resolve()):setTimeout,qe=function(e,t){return e.__v.__b-t.__v.__b},re.__r=0,pe=Math.random().toString(8),Z="__d"+pe,q="__a"+pe,Ge=/(PointerCapture)$|Capture$/i,Ce=0,me=De(!1),ye=De(!0),ze=0;var Ct=0;function n(e,t,r,i,s,o){t||(t={});var a,d,u=t;if("ref"in u)for(d in u={},t)d=="ref"?a=t[d]:u[d]=t[d];var l={type:e,props:u,key:r,ref:a,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:--Ct,__i:-1,__u:0,__source:s,__self:o};if(typeof e=="function"&&(a=e.defaultProps))for(d in a)u[d]===void 0&&(u[d]=a[d]);return C.vnode&&C.vnode(l),l}var K,A,fe,$e,ie=0,nt=[],I=C,Ne=I.__b,Te=I.__r,xe=I.diffed,Re=I.__c,Pe=I.unmount,Oe=I.__;function ae(e,t){I.__h&&I.__h(A,e,ie||t),ie=0;var r=A.__H||(A.__H={__:[],__h:[]});return e>=r.__.length&&r.__.push({}),r.__[e]}function m(e){return ie=1,At(it,e)}function At(e,t,r){var i=ae(K++,2);if(i.t=e,!i.__c&&(i.__=[it(void 0,t),function(d){var u=i.__N?i.__N[0]:i.__[0],l=i.t(u,d);u!==l&&(i.__N=[l,i.__[1]],i.__c.setState({}))}],i.__c=A,!A.__f)){var s=function(d,u,l){if(!i.__c.__H)return!0;var p=!1,f=i.__c.props!==d;if(i.__c.__H.__.some(function(h){if(h.__N){p=!0;var g=h.__[0];h.__=h.__N,h.__N=void 0,g!==h.__[0]&&(f=!0)}}),o){var c=o.call(this,d,u,l);return p?c||f:c}return!p||f};A.__f=!0;var o=A.shouldComponentUpdate,a=A.componentWillUpdate;A.componentWillUpdate=function(d,u,l){if(this.__e){var p=o;o=void 0,s(d,u,l),o=p}a&&a.call(this,d,u,l)},A.shouldComponentUpdate=s}return i.__N||i.__}function N(e,t){var r=ae(K++,3);!I.__s&&rt(r.__H,t)&&(r.__=e,r.u=t,A.__H.__h.push(r))}function It(e){return ie=5,Et(function(){return{current:e}},[])}function Et(e,t){var r=ae(K++,7);return rt(r.__H,t)&&(r.__=e(),r.__H=t,r.__h=e),r.__}function kt(e){var t=A.context[e.__c],r=ae(K++,9);return r.c=e,t?(r.__==null&&(r.__=!0,t.sub(A)),t.props.value):e.__}function wt(){for(var e;e=nt.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(ee),t.__h.some(ve),t.__h=[]}catch(r){t.__h=[],I.__e(r,e.__v)}}}I.__b=function(e){A=null,Ne&&Ne(e)},I.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),Oe&&Oe(e,t)},I.__r=function(e){Te&&Te(e),K=0;var t=(A=e.__c).__H;t&&(fe===A?(t.__h=[],A.__h=[],t.__.some(function(r){r.__N&&(r.__=r.__N),r.u=r.__N=void 0})):(t.__h.some(ee),t.__h.some(ve),t.__h=[],K=0)),fe=A},I.diffed=function(e){xe&&xe(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&(nt.push(t)!==1&&$e===I.requestAnimationFrame||(($e=I.requestAnimationFrame)||Ut)(wt)),t.__H.__.some(function(r){r.u&&(r.__H=r.u,r.u=void 0)})),fe=A=null},I.__c=function(e,t){t.some(function(r){try{r.__h.some(ee),r.__h=r.__h.filter(function(i){return!i.__||ve(i)})}catch(i){t.some(function(s){s.__h&&(s.__h=[])}),t=[],I.__e(i,r.__v)}}),Re&&Re(e,t)},I.unmount=function(e){Pe&&Pe(e);var t,r=e.__c;r&&r.__H&&(r.__H.__.some(function(i){try{ee(i)}catch(s){t=s}}),r.__H=void 0,t&&I.__e(t,r.__v))};var Fe=typeof requestAnimationFrame=="function";function Ut(e){var t,r=function(){clearTimeout(i),Fe&&cancelAnimationFrame(t),setTimeout(e)},i=setTimeout(r,35);Fe&&(t=requestAnimationFrame(r))}function ee(e){var t=A,r=e.__c;typeof r=="function"&&(e.__c=void 0,r()),A=t}function ve(e){var t=A;e.__c=e.__(),A=t}function rt(e,t){return!e||e.length!==t.length||t.some(function(r,i){return r!==e[i]})}function it(e,t){return typeof t=="function"?t(e):t}function E(e){if(!e)return"—";const t=new Date(e);return Number.isNaN(t.getTime())?e:`${t.toISOString().slice(0,16).replace("T"," ")} UTC`}function j(e){if(!e)return"—";const t=Number(e.amount);if(Number.isNaN(t))return`${e.amount} ${e.currency}`;const r=Math.abs(t).toFixed(2),i=t<0?"−":"";return e.currency==="USD"?`${i}$${r}`:`${i}${r} ${e.currency}`}function $(e){return e?e.charAt(0)+e.slice(1).toLowerCase().replace(/_/g," "):"—"}function R(e){const t=e.id??e.title.toLowerCase().replace(/[^a-z]+/g,"-");return n("section",{class:"card","aria-label":e.title,"data-card":t,children:[n("header",{class:"card-header",children:[n("h2",{children:e.title}),e.actions?n("div",{class:"card-actions",children:e.actions}):null]}),n("div",{class:"card-body",children:e.children})]})}function St({customer:e}){return n(R,{title:"App User IDs",id:"aliases",children:[n("p",{class:"muted",children:"Original"}),n("p",{children:n("code",{children:e.originalAppUserId})}),n("p",{class:"muted",children:"Aliases"}),e.aliases.length?n("ul",{class:"plain",children:e.aliases.map(t=>n("li",{children:[n("code",{children:t.appUserId})," ",t.isAnonymous?n("span",{class:"badge",children:"anonymous"}):null,n("span",{class:"muted",children:[" · last seen ",E(t.lastSeenAt)]})]},t.appUserId))}):n("p",{class:"muted",children:"No aliases."})]})}const be="customer-profile-console.api-key";function st(){return sessionStorage.getItem(be)}function Y(e){e?sessionStorage.setItem(be,e):sessionStorage.removeItem(be)}let ot=()=>{};function Dt(e){ot=e}function $t(e){ot(e)}async function Nt(){const e=st(),t=await fetch("/console/session",{headers:e?{Authorization:`Bearer ${e}`}:{}}),r=await t.json();return t.ok?{ok:!0,session:r}:{ok:!1,keyRequired:!!r.keyRequired||!!e,error:e?String(r.error):""}}function lt(e){switch(e.role){case"ADMIN":return"reads everything, acts on customers and configures the project";case"SUPPORT":return"reads everything and acts on customers";case"VIEWER":return"reads everything; no actions";case"SDK":return"an app's key: it cannot open the console"}}class X extends Error{constructor(t,r,i=null){super(t),this.status=r,this.code=i}status;code}async function k(e,...[t]){const r={"Content-Type":"application/json"},i=st();i&&(r.Authorization=`Bearer ${i}`);const s=await fetch("/graphql",{method:"POST",headers:r,body:JSON.stringify({query:e.toString(),variables:t??{}})});if(s.status===401)throw $t(await s.text()),new X("The API key was refused.",401);if(!s.ok)throw new X(`The server answered ${s.status}: ${await s.text()}`,s.status);const o=await s.json();if(o.errors?.length){const a=o.errors[0],d=a.extensions?.code??null,u=d==="FORBIDDEN"?`Your key's role may not do this: ${a.message}`:a.message;throw new X(u,s.status,d)}if(!o.data)throw new X("The server sent no data.",s.status);return o.data}function Tt(e,t){return e.filter(r=>r.field?.[r.field.length-1]===t)}function xt(e,t){return e.filter(r=>!t.includes(r.field?.[r.field.length-1]??""))}class b extends String{__apiType;value;__meta__;constructor(t,r){super(t),this.value=t,this.__meta__=r}toString(){return this.value}}new b(`
    fragment AliasesCard on Customer {
  originalAppUserId
  aliases {
    appUserId
    isAnonymous
    createdAt
    lastSeenAt
  }
}
    `,{fragmentName:"AliasesCard"});new b(`
    fragment AttributesCard on Customer {
  attributes {
    key
    value
    updatedAt
    isReserved
  }
}
    `,{fragmentName:"AttributesCard"});new b(`
    fragment AttributionCard on Customer {
  attribution {
    network
    campaign
    adGroup
    keywords
    creative
  }
}
    `,{fragmentName:"AttributionCard"});new b(`
    fragment DetailsCard on Customer {
  appUserId
  originalAppUserId
  country
  totalSpent {
    amount
    currency
  }
  lastOpenedAt
  firstSeenAt
}
    `,{fragmentName:"DetailsCard"});new b(`
    fragment EntitlementsCard on Customer {
  appUserId
  entitlements(sandbox: $sandbox) {
    entitlement {
      id
      identifier
      displayName
    }
    isActive
    source
    productId
    store
    environment
    periodType
    purchasedAt
    expiresAt
    willRenew
    unsubscribeDetectedAt
    billingIssueDetectedAt
    gracePeriodExpiresAt
  }
  purchases(sandbox: $sandbox) {
    id
    store
    environment
    productId
    type
    purchasedAt
    originalPurchasedAt
    expiresAt
    periodType
    willRenew
    status
    price {
      amount
      currency
    }
    refundedAt
    canRefund
    canCancel
  }
}
    `,{fragmentName:"EntitlementsCard"});new b(`
    fragment DeliveryFields on WebhookDelivery {
  id
  status
  attempts
  lastAttemptAt
  lastResponseStatus
  nextAttemptAt
  endpoint {
    id
    url
  }
}
    `,{fragmentName:"DeliveryFields"});new b(`
    fragment NotesCard on Customer {
  notes {
    id
    body
    bodyHtml
    author
    createdAt
    updatedAt
  }
}
    `,{fragmentName:"NotesCard"});new b(`
    fragment OfferingCard on Customer {
  currentOffering {
    id
    identifier
    description
    packages {
      identifier
      product {
        identifier
      }
    }
  }
  offeringOverride {
    id
    identifier
  }
}
    `,{fragmentName:"OfferingCard"});new b(`
    fragment VirtualCurrencyCard on Customer {
  virtualCurrencyBalances {
    code
    balance
  }
}
    `,{fragmentName:"VirtualCurrencyCard"});new b(`
    fragment UserErrorFields on UserError {
  field
  message
  code
}
    `,{fragmentName:"UserErrorFields"});const Rt=new b(`
    mutation SetAttributes($input: SetAttributesInput!) {
  setAttributes(input: $input) {
    customer {
      id
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`),Pt=new b(`
    mutation RevokeGrantedEntitlement($input: RevokeGrantedEntitlementInput!) {
  revokeGrantedEntitlement(input: $input) {
    customer {
      id
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`),Ot=new b(`
    mutation RefundPurchase($input: RefundPurchaseInput!) {
  refundPurchase(input: $input) {
    purchase {
      id
      status
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`),Ft=new b(`
    mutation CancelSubscription($input: CancelSubscriptionInput!) {
  cancelSubscription(input: $input) {
    purchase {
      id
      status
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`),Lt=new b(`
    query TimelineEventDetail($id: ID!) {
  node(id: $id) {
    ... on CustomerEvent {
      id
      payload
      deliveries {
        ...DeliveryFields
      }
    }
  }
}
    fragment DeliveryFields on WebhookDelivery {
  id
  status
  attempts
  lastAttemptAt
  lastResponseStatus
  nextAttemptAt
  endpoint {
    id
    url
  }
}`),Mt=new b(`
    mutation RetryWebhookDelivery($input: RetryWebhookDeliveryInput!) {
  retryWebhookDelivery(input: $input) {
    delivery {
      ...DeliveryFields
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment DeliveryFields on WebhookDelivery {
  id
  status
  attempts
  lastAttemptAt
  lastResponseStatus
  nextAttemptAt
  endpoint {
    id
    url
  }
}
fragment UserErrorFields on UserError {
  field
  message
  code
}`),Ht=new b(`
    mutation GrantEntitlement($input: GrantEntitlementInput!) {
  grantEntitlement(input: $input) {
    customer {
      id
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`),Bt=new b(`
    mutation DeleteCustomer($input: DeleteCustomerInput!) {
  deleteCustomer(input: $input) {
    deletedAppUserIds
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`),Wt=new b(`
    mutation AddNote($input: AddNoteInput!) {
  addNote(input: $input) {
    note {
      id
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`),Kt=new b(`
    mutation UpdateNote($input: UpdateNoteInput!) {
  updateNote(input: $input) {
    note {
      id
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`),jt=new b(`
    mutation DeleteNote($input: DeleteNoteInput!) {
  deleteNote(input: $input) {
    deletedNoteId
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`),Vt=new b(`
    mutation OverrideOffering($input: OverrideOfferingInput!) {
  overrideOffering(input: $input) {
    customer {
      id
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`),qt=new b(`
    query CustomerTimeline($appUserId: String!, $sandbox: Boolean!, $first: Int!, $after: String) {
  customer(appUserId: $appUserId) {
    id
    history(first: $first, after: $after, sandbox: $sandbox) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          type
          description
          webhookEventType
          purchasedAt
          eventTimestamp
          environment
          store
          productId
          newProductId
          entitlementIds
          periodType
          transactionId
          cancelReason
          price {
            amount
            currency
          }
          priceUsd {
            amount
            currency
          }
          priceIsEstimated
          transferredFrom
          transferredTo
          virtualCurrency {
            code
            amount
          }
          actor
          reason
        }
      }
    }
  }
}
    `),Gt=new b(`
    mutation TransferEntitlements($input: TransferEntitlementsInput!) {
  transferEntitlements(input: $input) {
    toCustomer {
      id
      appUserId
    }
    purchases {
      id
      store
      productId
      status
      purchasedAt
      expiresAt
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`),zt=new b(`
    mutation AdjustVirtualCurrency($input: AdjustVirtualCurrencyInput!) {
  adjustVirtualCurrency(input: $input) {
    customer {
      id
    }
    userErrors {
      ...UserErrorFields
    }
  }
}
    fragment UserErrorFields on UserError {
  field
  message
  code
}`),Yt=new b(`
    query CustomerProfile($appUserId: String!, $sandbox: Boolean!) {
  customer(appUserId: $appUserId) {
    id
    appUserId
    ...DetailsCard
    ...NotesCard
    ...EntitlementsCard
    ...AliasesCard
    ...AttributesCard
    ...AttributionCard
    ...OfferingCard
    ...VirtualCurrencyCard
  }
  project {
    id
    name
    entitlements {
      identifier
      displayName
    }
    offerings {
      identifier
      description
      isCurrent
    }
  }
}
    fragment AliasesCard on Customer {
  originalAppUserId
  aliases {
    appUserId
    isAnonymous
    createdAt
    lastSeenAt
  }
}
fragment AttributesCard on Customer {
  attributes {
    key
    value
    updatedAt
    isReserved
  }
}
fragment AttributionCard on Customer {
  attribution {
    network
    campaign
    adGroup
    keywords
    creative
  }
}
fragment DetailsCard on Customer {
  appUserId
  originalAppUserId
  country
  totalSpent {
    amount
    currency
  }
  lastOpenedAt
  firstSeenAt
}
fragment EntitlementsCard on Customer {
  appUserId
  entitlements(sandbox: $sandbox) {
    entitlement {
      id
      identifier
      displayName
    }
    isActive
    source
    productId
    store
    environment
    periodType
    purchasedAt
    expiresAt
    willRenew
    unsubscribeDetectedAt
    billingIssueDetectedAt
    gracePeriodExpiresAt
  }
  purchases(sandbox: $sandbox) {
    id
    store
    environment
    productId
    type
    purchasedAt
    originalPurchasedAt
    expiresAt
    periodType
    willRenew
    status
    price {
      amount
      currency
    }
    refundedAt
    canRefund
    canCancel
  }
}
fragment NotesCard on Customer {
  notes {
    id
    body
    bodyHtml
    author
    createdAt
    updatedAt
  }
}
fragment OfferingCard on Customer {
  currentOffering {
    id
    identifier
    description
    packages {
      identifier
      product {
        identifier
      }
    }
  }
  offeringOverride {
    id
    identifier
  }
}
fragment VirtualCurrencyCard on Customer {
  virtualCurrencyBalances {
    code
    balance
  }
}`),at=new b(`
    query CustomerSearch($search: String, $filter: CustomerFilter, $first: Int!, $after: String) {
  customers(search: $search, filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        id
        appUserId
        originalAppUserId
        country
        totalSpent {
          amount
          currency
        }
        lastOpenedAt
        firstSeenAt
        attributes {
          key
          value
        }
      }
    }
  }
}
    `),Xt=new b(`
    query SearchFilterChoices {
  project {
    id
    name
    entitlements {
      identifier
      displayName
    }
  }
}
    `);function ct(e){const t=It(null);return N(()=>{const r=i=>{i.key==="Escape"&&e.onClose()};return window.addEventListener("keydown",r),t.current?.querySelector("input, textarea, select")?.focus(),()=>window.removeEventListener("keydown",r)},[]),n("div",{class:"overlay",children:n("div",{class:"dialog",role:"dialog","aria-modal":"true","aria-label":e.title,ref:t,children:[n("h2",{children:e.title}),e.children]})})}function S(e){const t=Tt(e.errors,e.field);return t.length?n("ul",{class:"field-errors",role:"alert","data-field":e.field,children:t.map(r=>n("li",{children:[r.message," ",n("code",{children:r.code})]},r.code+r.message))}):null}function ce(e){return!e.errors.length&&!e.failure?null:n("ul",{class:"field-errors form-errors",role:"alert",children:[e.failure?n("li",{children:e.failure}):null,e.errors.map(t=>n("li",{children:[t.message," ",n("code",{children:t.code})]},t.code+t.message))]})}function ke(e){const[t,r]=m(!1),[i,s]=m([]),[o,a]=m(null);async function d(u){r(!0),a(null);try{const l=await u();return s([...l]),l.length===0}catch(l){return s([]),a(l instanceof Error?l.message:String(l)),!1}finally{r(!1)}}return{busy:t,errors:i,failure:o,run:d,unplaced:xt(i,e)}}function T(e){const t=e.withReason??!0,[r,i]=m(""),s=ke([...e.fields??[],...t?["reason"]:[]]);async function o(a){a.preventDefault(),await s.run(()=>e.onConfirm(r.trim()?r.trim():null))&&e.onDone()}return n(ct,{title:e.title,onClose:e.onClose,children:n("form",{onSubmit:o,children:[e.children?.(s.errors),t?n("label",{class:"field",children:[n("span",{children:"Reason (kept on the event and in the audit trail)"}),n("textarea",{name:"reason",rows:2,value:r,onInput:a=>i(a.currentTarget.value)}),n(S,{errors:s.errors,field:"reason"})]}):null,n(ce,{errors:s.unplaced,failure:s.failure}),n("div",{class:"dialog-buttons",children:[n("button",{type:"button",onClick:e.onClose,children:"Cancel"}),n("button",{type:"submit",class:e.danger?"danger":"primary",disabled:s.busy||e.canConfirm===!1,children:e.confirmLabel})]})]})})}const dt=bt(null);function L(){const e=kt(dt);if(!e)throw new Error("useSession outside the signed-in console");return e}function Zt(e,t){return e?e.startsWith("$")?t.reservedAttributeKeys.includes(e)?null:"Keys starting with $ are reserved: only the reserved keys listed in the docs may be set.":e.length>t.attributeKeyMaxLength?`At most ${t.attributeKeyMaxLength} characters.`:new RegExp(t.attributeKeyPattern).test(e)?null:"A key starts with a letter and holds only letters, digits, _ and -.":null}function Jt(e){const t=L(),[r,i]=m(null);return n(R,{title:"Attributes",id:"attributes",actions:t.mayAct?n("button",{type:"button",onClick:()=>i("new"),children:"+ New"}):null,children:[e.customer.attributes.length===0?n("p",{class:"muted",children:"No attributes."}):null,n("table",{class:"table",children:n("tbody",{children:e.customer.attributes.map(s=>n("tr",{children:[n("th",{children:n("code",{children:s.key})}),n("td",{children:s.value}),n("td",{class:"muted",children:E(s.updatedAt)}),n("td",{children:t.mayAct?n("button",{type:"button",class:"link",onClick:()=>i(s),children:"Edit"}):null})]},s.key))})}),r?n(Qt,{appUserId:e.appUserId,attribute:r==="new"?null:r,onClose:()=>i(null),onDone:()=>{i(null),e.onChanged()}}):null]})}function Qt(e){const{limits:t}=L(),[r,i]=m(e.attribute?.key??""),[s,o]=m(e.attribute?.value??""),a=Zt(r.trim(),t),d=s.length>t.attributeValueMaxLength;return n(T,{title:e.attribute?`Edit ${e.attribute.key}`:"New attribute",confirmLabel:"Save attribute",withReason:!1,fields:["key","value"],canConfirm:!!r.trim()&&!a&&!d,onClose:e.onClose,onDone:e.onDone,onConfirm:async()=>(await k(Rt,{input:{appUserId:e.appUserId,attributes:[{key:r.trim(),value:s}]}})).setAttributes.userErrors,children:u=>n(x,{children:[n("label",{class:"field",children:[n("span",{children:"Key"}),n("input",{name:"key",value:r,readOnly:!!e.attribute,onInput:l=>i(l.currentTarget.value)}),a?n("span",{class:"hint over",children:a}):null,n(S,{errors:u,field:"key"})]}),n("label",{class:"field",children:[n("span",{children:"Value (a string; empty deletes the attribute)"}),n("input",{name:"value",value:s,onInput:l=>o(l.currentTarget.value)}),n("span",{class:d?"counter over":"counter",children:[s.length," / ",t.attributeValueMaxLength]}),n(S,{errors:u,field:"value"})]})]})})}function en({customer:e}){const t=e.attribution,r=[["Network",t.network],["Campaign",t.campaign],["Ad group",t.adGroup],["Keywords",t.keywords],["Creative",t.creative]];return n(R,{title:"Attribution",id:"attribution",children:r.some(([,i])=>i)?n("dl",{class:"details",children:r.map(([i,s])=>n("div",{children:[n("dt",{children:i}),n("dd",{children:s??"—"})]},i))}):n("p",{class:"muted",children:"No attribution data from a network."})})}function tn({customer:e}){const t=[["App User ID",e.appUserId],["Original App User ID",e.originalAppUserId],["Country",e.country??"—"],["Total spent",j(e.totalSpent)],["Last opened",E(e.lastOpenedAt)],["User since",E(e.firstSeenAt)]];return n(R,{title:"Customer details",id:"details",children:n("dl",{class:"details",children:t.map(([r,i])=>n("div",{children:[n("dt",{children:r}),n("dd",{children:i})]},r))})})}const nn=[["DAILY","24 hours"],["THREE_DAY","3 days"],["WEEKLY","1 week"],["TWO_WEEK","2 weeks"],["MONTHLY","1 month"],["TWO_MONTH","2 months"],["THREE_MONTH","3 months"],["SIX_MONTH","6 months"],["YEARLY","1 year"],["LIFETIME","Lifetime"]],Le="UNTIL";function rn(e){const[t,r]=m(e.entitlements[0]?.identifier??""),[i,s]=m("MONTHLY"),[o,a]=m(""),d=i===Le;return n(T,{title:"Grant an entitlement",confirmLabel:"Grant",fields:["entitlementIdentifier","duration","endsAt"],canConfirm:!!t&&(!d||!!o),onClose:e.onClose,onDone:e.onDone,onConfirm:async u=>(await k(Ht,{input:{appUserId:e.appUserId,entitlementIdentifier:t,duration:d?null:i,endsAt:d?new Date(`${o}Z`).toISOString():null,reason:u}})).grantEntitlement.userErrors,children:u=>n(x,{children:[n("p",{class:"muted",children:"Access starts now and ends by itself. It never touches store purchases."}),n("label",{class:"field",children:[n("span",{children:"Entitlement"}),n("select",{name:"entitlementIdentifier",value:t,onChange:l=>r(l.currentTarget.value),children:e.entitlements.map(l=>n("option",{value:l.identifier,children:[l.displayName," (",l.identifier,")"]},l.identifier))}),n(S,{errors:u,field:"entitlementIdentifier"})]}),n("label",{class:"field",children:[n("span",{children:"Duration"}),n("select",{name:"duration",value:i,onChange:l=>s(l.currentTarget.value),children:[nn.map(([l,p])=>n("option",{value:l,children:p},l)),n("option",{value:Le,children:"Until date…"})]}),n(S,{errors:u,field:"duration"})]}),d?n("label",{class:"field",children:[n("span",{children:"Ends at (UTC)"}),n("input",{type:"datetime-local",name:"endsAt",value:o,onInput:l=>a(l.currentTarget.value)}),n(S,{errors:u,field:"endsAt"})]}):null]})})}const F="/console";function Me(e,t){const r=`${F}/customers/`;return e.startsWith(r)&&e.length>r.length?{page:"profile",appUserId:decodeURIComponent(e.slice(r.length))}:{page:"search",query:new URLSearchParams(t)}}function se(e){return`${F}/customers/${encodeURIComponent(e)}`}function de(e,t=!1){t?history.replaceState(null,"",e):history.pushState(null,"",e),window.dispatchEvent(new PopStateEvent("popstate"))}function sn(){const[e,t]=m(()=>Me(location.pathname,location.search));return N(()=>{const r=()=>t(Me(location.pathname,location.search));return window.addEventListener("popstate",r),()=>window.removeEventListener("popstate",r)},[]),e}function ue(e,t){e.metaKey||e.ctrlKey||e.shiftKey||e.button!==0||(e.preventDefault(),de(t))}const on=["toAppUserId","fromAppUserId","reason"];function ln(e){const[t,r]=m(""),[i,s]=m(""),[o,a]=m(null),d=ke(on);async function u(p){const f=(await k(Gt,{input:{fromAppUserId:e.fromAppUserId,toAppUserId:t.trim(),dryRun:p,reason:i.trim()||null}})).transferEntitlements;return p?a(f.userErrors.length?null:f):f.userErrors.length||de(se(f.toCustomer?.appUserId??t.trim())),f.userErrors}async function l(p){p.preventDefault(),await d.run(()=>u(o===null))}return n(ct,{title:"Transfer entitlements",onClose:e.onClose,children:n("form",{onSubmit:l,children:[n("p",{class:"muted",children:["Every store purchase of ",n("code",{children:e.fromAppUserId})," moves to the destination customer. Granted entitlements stay."]}),n("label",{class:"field",children:[n("span",{children:"Destination App User ID"}),n("input",{name:"toAppUserId",value:t,onInput:p=>{r(p.currentTarget.value),a(null)}}),n(S,{errors:d.errors,field:"toAppUserId"}),n(S,{errors:d.errors,field:"fromAppUserId"})]}),o?n("div",{class:"preview","aria-label":"Transfer preview",children:[n("p",{children:["These ",o.purchases.length," purchases would move to ",n("code",{children:o.toCustomer?.appUserId}),":"]}),n("ul",{class:"plain",children:o.purchases.map(p=>n("li",{children:[n("code",{children:p.productId})," · ",$(p.store)," · ",$(p.status)," · since"," ",E(p.purchasedAt)]},p.id))}),n("label",{class:"field",children:[n("span",{children:"Reason (kept on the event and in the audit trail)"}),n("textarea",{name:"reason",rows:2,value:i,onInput:p=>s(p.currentTarget.value)}),n(S,{errors:d.errors,field:"reason"})]})]}):null,n(ce,{errors:d.unplaced,failure:d.failure}),n("div",{class:"dialog-buttons",children:[n("button",{type:"button",onClick:e.onClose,children:"Cancel"}),n("button",{type:"submit",class:o?"danger":"primary",disabled:d.busy||!t.trim(),children:o?"Transfer entitlements":"Find and preview"})]})]})})}function an(e){const t=L(),[r,i]=m(null),{appUserId:s,entitlements:o,purchases:a}=e.customer,d=()=>i(null),u=()=>{i(null),e.onChanged()};return n(R,{title:"Entitlements",id:"entitlements",actions:t.mayAct?n(x,{children:[n("button",{type:"button",onClick:()=>i({kind:"grant"}),children:"Grant"}),n("button",{type:"button",onClick:()=>i({kind:"transfer"}),children:"Transfer"})]}):null,children:[o.length===0?n("p",{class:"muted",children:"No entitlements."}):null,n("ul",{class:"entitlements",children:o.map(l=>n("li",{"data-entitlement":l.entitlement.identifier,children:[n("div",{children:[n("strong",{children:l.entitlement.displayName})," ",n("code",{children:l.entitlement.identifier})," ",n("span",{class:l.isActive?"badge active":"badge inactive",children:l.isActive?"Active":"Inactive"}),l.source==="GRANTED"?n("span",{class:"badge",children:"granted"}):null,l.environment==="SANDBOX"?n("span",{class:"badge sandbox",children:"sandbox"}):null]}),n("div",{class:"muted",children:[n("code",{children:l.productId})," · ",$(l.store)," · since ",E(l.purchasedAt)," ·"," ",l.expiresAt?`${l.isActive?"expires":"expired"} ${E(l.expiresAt)}`:"lifetime",l.isActive&&l.expiresAt?l.willRenew?" · renews":" · will not renew":"",l.billingIssueDetectedAt?` · billing issue ${E(l.billingIssueDetectedAt)}`:"",l.gracePeriodExpiresAt?` · grace period until ${E(l.gracePeriodExpiresAt)}`:""]}),t.mayAct&&l.source==="GRANTED"&&l.isActive?n("button",{type:"button",class:"link",onClick:()=>i({kind:"revoke",identifier:l.entitlement.identifier}),children:"Revoke grant"}):null]},l.entitlement.identifier))}),n("h3",{children:"Purchases"}),a.length===0?n("p",{class:"muted",children:"No purchases."}):null,n("ul",{class:"purchases",children:a.map(l=>n("li",{"data-purchase":l.productId,children:[n("div",{children:[n("code",{children:l.productId})," ",n("span",{class:"badge",children:$(l.status)}),l.environment==="SANDBOX"?n("span",{class:"badge sandbox",children:"sandbox"}):null]}),n("div",{class:"muted",children:[$(l.store)," · ",$(l.type)," · ",j(l.price)," · started"," ",E(l.originalPurchasedAt),l.expiresAt?` · period ends ${E(l.expiresAt)}`:"",l.refundedAt?` · refunded ${E(l.refundedAt)}`:""]}),t.mayAct?n("span",{class:"row-actions",children:[l.canRefund?n("button",{type:"button",class:"link",onClick:()=>i({kind:"refund",purchase:l}),children:"Refund"}):null,l.canCancel?n("button",{type:"button",class:"link",onClick:()=>i({kind:"cancel",purchase:l}),children:"Cancel subscription"}):null]}):null]},l.id))}),r?.kind==="grant"?n(rn,{appUserId:s,entitlements:e.entitlements,onClose:d,onDone:u}):null,r?.kind==="transfer"?n(ln,{fromAppUserId:s,onClose:d}):null,r?.kind==="revoke"?n(T,{title:`Revoke the granted ${r.identifier} entitlement`,confirmLabel:"Revoke",danger:!0,onClose:d,onDone:u,onConfirm:async l=>(await k(Pt,{input:{appUserId:s,entitlementIdentifier:r.identifier,reason:l}})).revokeGrantedEntitlement.userErrors,children:()=>n("p",{children:"Every active grant of this entitlement ends now. Store purchases are not touched."})}):null,r?.kind==="refund"?n(T,{title:`Refund ${r.purchase.productId}`,confirmLabel:"Refund",danger:!0,onClose:d,onDone:u,onConfirm:async l=>(await k(Ot,{input:{purchaseId:r.purchase.id,reason:l}})).refundPurchase.userErrors,children:()=>n("p",{children:["The store refunds the last period (",j(r.purchase.price),"); the purchase expires now and its access ends."]})}):null,r?.kind==="cancel"?n(T,{title:`Cancel ${r.purchase.productId}`,confirmLabel:"Cancel subscription",danger:!0,onClose:d,onDone:u,onConfirm:async l=>(await k(Ft,{input:{purchaseId:r.purchase.id,reason:l}})).cancelSubscription.userErrors,children:()=>n("p",{children:"The subscription will not renew; access lasts until the end of the current period."})}):null]})}function cn({appUserId:e}){const t=L(),[r,i]=m(!1),[s,o]=m("");return t.mayAct?n(R,{title:"Manage",id:"manage",children:[n("p",{class:"muted",children:"Deleting removes the customer, every alias and all their history (sandbox and production). Store subscriptions are not cancelled."}),n("button",{type:"button",class:"danger",onClick:()=>i(!0),children:"Delete customer"}),r?n(T,{title:"Delete customer",confirmLabel:"Delete customer",danger:!0,fields:["appUserId"],canConfirm:s===e,onClose:()=>i(!1),onDone:()=>de(`${F}?deleted=${encodeURIComponent(e)}`),onConfirm:async a=>(await k(Bt,{input:{appUserId:e,reason:a}})).deleteCustomer.userErrors,children:a=>n("label",{class:"field",children:[n("span",{children:["Type ",n("code",{children:e})," to confirm"]}),n("input",{name:"confirmAppUserId",value:s,onInput:d=>o(d.currentTarget.value)}),n(S,{errors:a,field:"appUserId"})]})}):null]}):null}function dn(e){const t=L(),{notesPerCustomer:r}=t.limits,[i,s]=m(null),o=e.customer.notes,a=o.length>=r,d=()=>{s(null),e.onChanged()};return n(R,{title:"Notes",id:"notes",actions:t.mayAct?n("button",{type:"button",disabled:a,onClick:()=>s({mode:"add"}),children:"+ Add note"}):null,children:[n("p",{class:"muted","data-testid":"note-count",children:[o.length," of ",r," notes",a?" · the limit is reached: delete a note to add another.":null]}),o.length===0?n("p",{class:"muted",children:"No notes yet."}):null,n("ul",{class:"notes",children:o.map(u=>n("li",{class:"note",children:[n("div",{class:"note-body",dangerouslySetInnerHTML:{__html:u.bodyHtml}}),n("div",{class:"note-meta",children:[n("span",{class:"muted",children:[u.author," · ",E(u.updatedAt)]}),t.mayAct?n("span",{class:"row-actions",children:[n("button",{type:"button",class:"link",onClick:()=>s({mode:"edit",note:u}),children:"Edit"}),n("button",{type:"button",class:"link",onClick:()=>s({mode:"delete",note:u}),children:"Delete"})]}):null]})]},u.id))}),i?.mode==="add"?n(He,{title:"Add note",initial:"",onClose:()=>s(null),onDone:d,save:async u=>(await k(Wt,{input:{appUserId:e.appUserId,body:u}})).addNote.userErrors}):null,i?.mode==="edit"?n(He,{title:"Edit note",initial:i.note.body,onClose:()=>s(null),onDone:d,save:async u=>(await k(Kt,{input:{noteId:i.note.id,body:u}})).updateNote.userErrors}):null,i?.mode==="delete"?n(T,{title:"Delete note",confirmLabel:"Delete note",danger:!0,withReason:!1,onClose:()=>s(null),onDone:d,onConfirm:async()=>(await k(jt,{input:{noteId:i.note.id}})).deleteNote.userErrors,children:()=>n("div",{class:"note-body quoted",dangerouslySetInnerHTML:{__html:i.note.bodyHtml}})}):null]})}function He(e){const{noteMaxLength:t}=L().limits,[r,i]=m(e.initial),s=r.trim().length,o=s>t;return n(T,{title:e.title,confirmLabel:"Save note",withReason:!1,fields:["body"],canConfirm:s>0&&!o,onClose:e.onClose,onDone:e.onDone,onConfirm:()=>e.save(r),children:a=>n("label",{class:"field",children:[n("span",{children:"Note (Markdown)"}),n("textarea",{name:"body",rows:5,value:r,onInput:d=>i(d.currentTarget.value)}),n("span",{class:o?"counter over":"counter","data-testid":"note-length",children:[s," / ",t," characters",o?": too long":""]}),n(S,{errors:a,field:"body"})]})})}const _e="";function un(e){const t=L(),r=e.customer.currentOffering,i=e.customer.offeringOverride,[s,o]=m(null),a=d=>d===_e?"the project's current offering (no override)":d;return n(R,{title:"Current offering",id:"offering",children:[r?n(x,{children:[n("p",{children:[n("strong",{children:r.identifier})," ",i?n("span",{class:"badge",children:"override"}):null]}),n("p",{class:"muted",children:r.description}),n("ul",{class:"plain",children:r.packages.map(d=>n("li",{children:[n("code",{children:d.identifier})," → ",n("code",{children:d.product.identifier})]},d.identifier))})]}):n("p",{class:"muted",children:"No current offering."}),t.mayAct?n("label",{class:"field",children:[n("span",{children:"Override for this customer"}),n("select",{name:"offering",value:i?.identifier??_e,onChange:d=>o(d.currentTarget.value),children:[n("option",{value:_e,children:"No override"}),e.offerings.map(d=>n("option",{value:d.identifier,children:[d.identifier,d.isCurrent?" (project current)":""]},d.identifier))]})]}):null,s!==null?n(T,{title:"Override the current offering",confirmLabel:"Save override",onClose:()=>o(null),onDone:()=>{o(null),e.onChanged()},onConfirm:async d=>(await k(Vt,{input:{appUserId:e.appUserId,offeringIdentifier:s||null,reason:d}})).overrideOffering.userErrors,children:()=>n("p",{children:["This customer will be shown ",a(s),"."]})}):null]})}function hn({eventId:e}){const[t,r]=m(void 0),[i,s]=m([]),[o,a]=m(null);N(()=>{k(Lt,{id:e}).then(u=>{const l=u.node;l&&"payload"in l&&(r(l.payload),s(l.deliveries))}).catch(u=>a(u.message))},[e]);const d=u=>s(l=>l.map(p=>p.id===u.id?u:p));return n("div",{children:[n(ce,{errors:[],failure:o}),n("h3",{children:"Integrations and webhooks"}),i.length?n("table",{class:"table",children:[n("thead",{children:n("tr",{children:[n("th",{children:"Endpoint"}),n("th",{children:"Status"}),n("th",{children:"Attempts"}),n("th",{children:"Last attempt"}),n("th",{children:"Response"}),n("th",{})]})}),n("tbody",{children:i.map(u=>n(pn,{delivery:u,onRetried:d},u.id))})]}):n("p",{class:"muted",children:"No webhook endpoint received this event."}),n("h3",{children:"Webhook payload"}),n("pre",{class:"payload",children:t===void 0?"Loading…":JSON.stringify(t,null,2)})]})}function pn(e){const t=L(),r=ke([]),i=e.delivery;async function s(){await r.run(async()=>{const o=(await k(Mt,{input:{deliveryId:i.id}})).retryWebhookDelivery;return o.delivery&&e.onRetried(o.delivery),o.userErrors})}return n("tr",{children:[n("td",{children:n("code",{children:i.endpoint.url})}),n("td",{children:n("span",{class:`badge status-${i.status.toLowerCase()}`,children:i.status})}),n("td",{children:i.attempts}),n("td",{children:E(i.lastAttemptAt)}),n("td",{children:i.lastResponseStatus??"—"}),n("td",{children:[t.mayAct?n("button",{type:"button",disabled:r.busy,onClick:()=>{s()},children:"Retry"}):null,n(ce,{errors:r.errors,failure:r.failure})]})]})}const fn=10;function _n(e){const[t,r]=m([]),[i,s]=m(null),[o,a]=m(!0),[d,u]=m(null),[l,p]=m(null);async function f(h){a(!0),u(null);try{const w=(await k(qt,{appUserId:e.appUserId,sandbox:e.sandbox,first:fn,after:h})).customer?.history,v=w?.edges.map(_=>_.node)??[];r(_=>h?[..._,...v]:v),s(w?.pageInfo.hasNextPage?w.pageInfo.endCursor:null)}catch(g){u(g instanceof Error?g.message:String(g))}finally{a(!1)}}N(()=>{f(null)},[e.appUserId,e.sandbox,e.version]);const c=t.find(h=>h.id===l)??null;return n(R,{title:"Customer history",id:"timeline",actions:n("label",{class:"toggle",title:"Also shows sandbox entitlements and purchases",children:[n("input",{type:"checkbox",name:"sandbox",checked:e.sandbox,onChange:h=>e.onSandbox(h.currentTarget.checked)}),"Sandbox data"]}),children:[d?n("p",{class:"field-errors",children:d}):null,!o&&t.length===0&&!d?n("p",{class:"muted",children:"No history: no purchase receipt has been received for this customer."}):null,n("ol",{class:"timeline",children:t.map(h=>n("li",{class:h.id===l?"selected":"",children:[n("button",{type:"button",class:"event",onClick:()=>p(h.id===l?null:h.id),children:[n("span",{class:"event-date",children:E(h.purchasedAt)}),n("span",{class:"event-description",children:h.description}),n("span",{class:"event-product",children:h.productId??""}),n("span",{class:"event-price",children:[h.priceUsd?j(h.priceUsd):"",h.priceUsd&&h.priceIsEstimated?n("abbr",{class:"estimated",title:"Estimated from the product's list price",children:[" ","estimated"]}):null]}),h.environment==="SANDBOX"?n("span",{class:"badge sandbox",children:"sandbox"}):null]}),h.id===l&&c?n(mn,{event:c}):null]},h.id))}),i?n("button",{type:"button",disabled:o,onClick:()=>{f(i)},children:"Older events"}):null,o?n("p",{class:"muted",children:"Loading…"}):null]})}function mn({event:e}){const t=[["Type",e.type],["Webhook event",e.webhookEventType],["Purchased at",E(e.purchasedAt)],["Event timestamp",E(e.eventTimestamp)],["Environment",$(e.environment)],["Store",$(e.store)],["Product",e.productId??"—"],["Transaction",e.transactionId??"—"],["Price",e.price?`${j(e.price)}${e.priceIsEstimated?" (estimated)":""}`:"—"],["Entitlements",e.entitlementIds.join(", ")||"—"]];return e.newProductId&&t.push(["New product",e.newProductId]),e.periodType&&t.push(["Period type",$(e.periodType)]),e.cancelReason&&t.push(["Cancel reason",$(e.cancelReason)]),e.transferredFrom&&t.push(["Transferred from",e.transferredFrom.join(", ")]),e.transferredTo&&t.push(["Transferred to",e.transferredTo.join(", ")]),e.virtualCurrency&&t.push(["Virtual currency",`${e.virtualCurrency.amount} ${e.virtualCurrency.code}`]),e.actor&&t.push(["By",e.actor]),e.reason&&t.push(["Reason",e.reason]),n("div",{class:"event-detail","aria-label":"Event details",children:[n("dl",{class:"details",children:t.map(([r,i])=>n("div",{children:[n("dt",{children:r}),n("dd",{children:i})]},r))}),n(hn,{eventId:e.id})]})}function yn(e){const t=L(),[r,i]=m(!1),[s,o]=m(""),[a,d]=m(""),u=e.customer.virtualCurrencyBalances,l=Number(a),p=a.trim()!==""&&Number.isInteger(l)&&l!==0;return n(R,{title:"Virtual currency",id:"virtual-currency",actions:t.mayAct?n("button",{type:"button",onClick:()=>i(!0),children:"Adjust"}):null,children:[u.length?n("table",{class:"table",children:n("tbody",{children:u.map(f=>n("tr",{children:[n("th",{children:n("code",{children:f.code})}),n("td",{"data-balance":f.code,children:f.balance})]},f.code))})}):n("p",{class:"muted",children:"No balances."}),r?n(T,{title:"Adjust virtual currency",confirmLabel:"Adjust balance",fields:["code","amount"],canConfirm:!!s.trim()&&p,onClose:()=>i(!1),onDone:()=>{i(!1),d(""),e.onChanged()},onConfirm:async f=>(await k(zt,{input:{appUserId:e.appUserId,code:s.trim(),amount:l,reason:f}})).adjustVirtualCurrency.userErrors,children:f=>n(x,{children:[n("label",{class:"field",children:[n("span",{children:"Currency code"}),n("input",{name:"code",list:"currency-codes",value:s,onInput:c=>o(c.currentTarget.value)}),n("datalist",{id:"currency-codes",children:u.map(c=>n("option",{value:c.code},c.code))}),n(S,{errors:f,field:"code"})]}),n("label",{class:"field",children:[n("span",{children:"Amount (positive grants, negative spends)"}),n("input",{name:"amount",type:"number",step:1,value:a,onInput:c=>d(c.currentTarget.value)}),n(S,{errors:f,field:"amount"})]})]})}):null]})}function gn({appUserId:e}){const[t,r]=m(!1),[i,s]=m(0),[o,a]=m(null),[d,u]=m(null);N(()=>{u(null),k(Yt,{appUserId:e,sandbox:t}).then(a).catch(h=>u(h.message))},[e,t,i]);const l=()=>s(h=>h+1),p=n("a",{href:F,onClick:h=>ue(h,F),children:"← Search"});if(d)return n("main",{children:[p,n("p",{class:"field-errors",role:"alert",children:d})]});if(!o)return n("main",{class:"muted",children:"Loading…"});const f=o.customer;if(!f)return n("main",{children:[p,n("h1",{children:"No customer found"}),n("p",{children:["No customer has the App User ID ",n("code",{children:e}),"."]})]});const c=f.appUserId;return n("main",{class:"profile",children:[n("div",{class:"profile-title",children:[p,n("h1",{children:f.appUserId})]}),n("div",{class:"columns",children:[n("div",{class:"column main",children:[n(tn,{customer:f}),n(dn,{appUserId:c,customer:f,onChanged:l}),n(_n,{appUserId:c,sandbox:t,version:i,onSandbox:r})]}),n("div",{class:"column side",children:[n(an,{customer:f,entitlements:o.project.entitlements,onChanged:l}),n(un,{appUserId:c,customer:f,offerings:o.project.offerings,onChanged:l}),n(yn,{appUserId:c,customer:f,onChanged:l}),n(St,{customer:f}),n(Jt,{appUserId:c,customer:f,onChanged:l}),n(en,{customer:f}),n(cn,{appUserId:c})]})]})]})}const vn=20,bn=["APP_STORE","MAC_APP_STORE","PLAY_STORE","AMAZON","STRIPE","RC_BILLING","PADDLE","ROKU","PROMOTIONAL"],ut=["q","entitlement","store","country","attributeKey","attributeValue"];function Be(e){return Object.fromEntries(ut.map(t=>[t,e.get(t)??""]))}function We(e){const t={};return e.entitlement&&(t.activeEntitlement=e.entitlement),e.store&&(t.store=e.store),e.country&&(t.country=e.country.trim().toUpperCase()),e.attributeKey&&(t.attribute={key:e.attributeKey.trim(),value:e.attributeValue}),Object.keys(t).length?t:null}function Cn({query:e}){const t=Be(e),[r,i]=m(t),[s,o]=m([null]),[a,d]=m(null),[u,l]=m(null),[p,f]=m([]),c=e.toString(),h=s[s.length-1],g=e.get("deleted");N(()=>{k(Xt).then(_=>f(_.project.entitlements)).catch(()=>{})},[]),N(()=>{i(Be(e)),o([null])},[c]),N(()=>{l(null),k(at,{search:t.q.trim()||null,filter:We(t),first:vn,after:h}).then(_=>d(_.customers)).catch(_=>l(_.message))},[c,h]);function w(_){_.preventDefault();const y=new URLSearchParams;for(const P of ut)r[P].trim()&&y.set(P,r[P].trim());const U=y.toString();de(U?`${F}?${U}`:F)}const v=_=>({name:_,value:r[_],onInput:y=>i({...r,[_]:y.currentTarget.value})});return n("main",{class:"search-page",children:[g?n("p",{class:"notice",role:"status",children:["Customer ",n("code",{children:g})," was deleted."]}):null,n("form",{class:"search",role:"search",onSubmit:w,children:[n("input",{...v("q"),type:"search",class:"search-box",placeholder:"App User ID or alias prefix, $email, or transaction id","aria-label":"Search customers"}),n("button",{type:"submit",class:"primary",children:"Search"}),n("details",{class:"filters",open:!!We(t),children:[n("summary",{children:"Filters"}),n("label",{children:["Active entitlement",n("select",{...v("entitlement"),onChange:v("entitlement").onInput,children:[n("option",{value:"",children:"Any"}),p.map(_=>n("option",{value:_.identifier,children:_.displayName},_.identifier))]})]}),n("label",{children:["Store",n("select",{...v("store"),onChange:v("store").onInput,children:[n("option",{value:"",children:"Any"}),bn.map(_=>n("option",{value:_,children:_},_))]})]}),n("label",{children:["Country",n("input",{...v("country"),size:4,placeholder:"BR"})]}),n("label",{children:["Attribute",n("input",{...v("attributeKey"),placeholder:"key"}),n("input",{...v("attributeValue"),placeholder:"value"})]})]})]}),n(An,{search:t.q.trim()}),u?n("p",{class:"field-errors",children:u}):null,a?n(x,{children:[n("p",{class:"muted","data-testid":"result-count",children:[a.totalCount," customer",a.totalCount===1?"":"s",", most recently seen first"]}),n("table",{class:"table results",children:[n("thead",{children:n("tr",{children:[n("th",{children:"App User ID"}),n("th",{children:"Email"}),n("th",{children:"Country"}),n("th",{children:"Total spent"}),n("th",{children:"Last opened"}),n("th",{children:"User since"})]})}),n("tbody",{children:a.edges.map(({node:_})=>{const y=se(_.appUserId);return n("tr",{children:[n("td",{children:n("a",{href:y,onClick:U=>ue(U,y),children:_.appUserId})}),n("td",{children:_.attributes.find(U=>U.key==="$email")?.value??"—"}),n("td",{children:_.country??"—"}),n("td",{children:j(_.totalSpent)}),n("td",{children:E(_.lastOpenedAt)}),n("td",{children:E(_.firstSeenAt)})]},_.id)})})]}),n("div",{class:"pager",children:[n("button",{type:"button",disabled:s.length===1,onClick:()=>o(s.slice(0,-1)),children:"Previous"}),n("button",{type:"button",disabled:!a.pageInfo.hasNextPage,onClick:()=>o([...s,a.pageInfo.endCursor]),children:"Next"})]})]}):null]})}function An({search:e}){const[t,r]=m([]);return N(()=>{r([]),e&&k(at,{search:null,filter:{transactionId:e},first:5,after:null}).then(i=>r(i.customers.edges.map(s=>s.node.appUserId))).catch(()=>{})},[e]),t.length?n("p",{class:"notice",children:["Transaction ",n("code",{children:e})," belongs to"," ",t.map(i=>n("a",{href:se(i),onClick:s=>ue(s,se(i)),children:[i," "]},i))]}):null}function In(){const[e,t]=m(null),r=()=>Nt().then(t,i=>t({ok:!1,keyRequired:!1,error:i.message}));return N(()=>{Dt(i=>{Y(null),t({ok:!1,keyRequired:!0,error:i})}),r()},[]),e?e.ok?e.session.mayRead?n(dt.Provider,{value:e.session,children:[n(kn,{session:e.session,onSignOut:()=>(Y(null),void r())}),n(En,{})]}):n(Ke,{error:`This key's role is ${e.session.role}: ${lt(e.session)}. Use a VIEWER, SUPPORT or ADMIN key.`,onKey:i=>(Y(i),void r())}):e.keyRequired?n(Ke,{error:e.error,onKey:i=>(Y(i),void r())}):n("p",{class:"field-errors",children:e.error||"The console could not reach the service."}):n("p",{class:"muted",children:"Loading…"})}function En(){const e=sn();return e.page==="profile"?n(gn,{appUserId:e.appUserId},e.appUserId):n(Cn,{query:e.query})}function kn(e){const{session:t}=e;return n("header",{class:"top",children:[n("a",{class:"brand",href:F,onClick:r=>ue(r,F),children:"Customer Profile · Support console"}),n("span",{class:"who","data-testid":"role",children:[t.environment==="development"?n("span",{class:"badge",children:"development"}):null," ",n("strong",{children:t.keyName})," · ",n("span",{class:"badge",children:t.role})," ",lt(t)]}),t.environment==="production"?n("button",{type:"button",class:"link",onClick:e.onSignOut,children:"Sign out"}):null]})}function Ke(e){const[t,r]=m("");return n("main",{class:"key-prompt",children:[n("h1",{children:"Support console"}),n("form",{onSubmit:i=>{i.preventDefault(),t.trim()&&e.onKey(t.trim())},children:[n("label",{class:"field",children:[n("span",{children:"API key"}),n("input",{name:"apiKey",type:"password",autoComplete:"off",value:t,onInput:i=>r(i.currentTarget.value)})]}),n("p",{class:"muted",children:"The key stays in this tab only (sessionStorage) and is sent as the Bearer header. A VIEWER key reads; a SUPPORT or ADMIN key can also act on customers."}),e.error?n("p",{class:"field-errors",role:"alert",children:e.error}):null,n("button",{type:"submit",class:"primary",children:"Open the console"})]})]})}vt(n(In,{}),document.getElementById("app"));
